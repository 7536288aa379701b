package com.flintn.webhooks.admin.deliveries;

/**
 * Growable columns of primitives in fixed chunks of {@value #CHUNK} values: growing allocates one
 * chunk and copies nothing, so the index never holds two copies of a column. Not thread safe.
 */
final class Columns {
  static final int SHIFT = 16;
  static final int CHUNK = 1 << SHIFT;
  static final int MASK = CHUNK - 1;

  private Columns() {}

  /** Chunks allocated for {@code size} values. */
  static int chunks(int size) {
    return (size + MASK) >>> SHIFT;
  }

  static final class Ints {
    private int[][] chunks = new int[4][];

    void set(int i, int v) {
      int c = i >>> SHIFT;
      if (c >= chunks.length) {
        chunks = java.util.Arrays.copyOf(chunks, Math.max(c + 1, chunks.length * 2));
      }
      if (chunks[c] == null) {
        chunks[c] = new int[CHUNK];
      }
      chunks[c][i & MASK] = v;
    }

    int get(int i) {
      return chunks[i >>> SHIFT][i & MASK];
    }

    long bytes(int size) {
      return (long) chunks(size) * CHUNK * Integer.BYTES;
    }
  }

  static final class Longs {
    private long[][] chunks = new long[4][];

    void set(int i, long v) {
      int c = i >>> SHIFT;
      if (c >= chunks.length) {
        chunks = java.util.Arrays.copyOf(chunks, Math.max(c + 1, chunks.length * 2));
      }
      if (chunks[c] == null) {
        chunks[c] = new long[CHUNK];
      }
      chunks[c][i & MASK] = v;
    }

    long get(int i) {
      return chunks[i >>> SHIFT][i & MASK];
    }

    long bytes(int size) {
      return (long) chunks(size) * CHUNK * Long.BYTES;
    }
  }

  static final class Shorts {
    private short[][] chunks = new short[4][];

    void set(int i, short v) {
      int c = i >>> SHIFT;
      if (c >= chunks.length) {
        chunks = java.util.Arrays.copyOf(chunks, Math.max(c + 1, chunks.length * 2));
      }
      if (chunks[c] == null) {
        chunks[c] = new short[CHUNK];
      }
      chunks[c][i & MASK] = v;
    }

    short get(int i) {
      return chunks[i >>> SHIFT][i & MASK];
    }

    long bytes(int size) {
      return (long) chunks(size) * CHUNK * Short.BYTES;
    }
  }

  static final class Bytes {
    private byte[][] chunks = new byte[4][];

    void set(int i, byte v) {
      int c = i >>> SHIFT;
      if (c >= chunks.length) {
        chunks = java.util.Arrays.copyOf(chunks, Math.max(c + 1, chunks.length * 2));
      }
      if (chunks[c] == null) {
        chunks[c] = new byte[CHUNK];
      }
      chunks[c][i & MASK] = v;
    }

    byte get(int i) {
      return chunks[i >>> SHIFT][i & MASK];
    }

    long bytes(int size) {
      return (long) chunks(size) * CHUNK;
    }
  }

  /**
   * Short ASCII strings (ids of at most 255 characters) packed one after another in chunks of
   * {@value #ARENA_CHUNK} bytes, each as its length and its bytes; a string never spans two chunks.
   * A string is addressed by the offset {@link #add} returned.
   */
  static final class Arena {
    static final int ARENA_CHUNK = 1 << 20;
    private byte[][] chunks = new byte[4][];
    private long end;

    int add(byte[] ascii) {
      int need = ascii.length + 1;
      long inChunk = end % ARENA_CHUNK;
      if (inChunk + need > ARENA_CHUNK) {
        end += ARENA_CHUNK - inChunk;
      }
      int c = (int) (end / ARENA_CHUNK);
      if (c >= chunks.length) {
        chunks = java.util.Arrays.copyOf(chunks, Math.max(c + 1, chunks.length * 2));
      }
      if (chunks[c] == null) {
        chunks[c] = new byte[ARENA_CHUNK];
      }
      int at = (int) (end % ARENA_CHUNK);
      chunks[c][at] = (byte) ascii.length;
      System.arraycopy(ascii, 0, chunks[c], at + 1, ascii.length);
      long offset = end;
      end += need;
      if (offset > Integer.MAX_VALUE) {
        throw new IllegalStateException("the id arena is full");
      }
      return (int) offset;
    }

    boolean equalsAt(int offset, byte[] ascii) {
      byte[] chunk = chunks[offset / ARENA_CHUNK];
      int at = offset % ARENA_CHUNK;
      int len = chunk[at] & 0xff;
      if (len != ascii.length) {
        return false;
      }
      for (int i = 0; i < len; i++) {
        if (chunk[at + 1 + i] != ascii[i]) {
          return false;
        }
      }
      return true;
    }

    String get(int offset) {
      byte[] chunk = chunks[offset / ARENA_CHUNK];
      int at = offset % ARENA_CHUNK;
      return new String(
          chunk, at + 1, chunk[at] & 0xff, java.nio.charset.StandardCharsets.US_ASCII);
    }

    byte[] bytes(int offset) {
      byte[] chunk = chunks[offset / ARENA_CHUNK];
      int at = offset % ARENA_CHUNK;
      return java.util.Arrays.copyOfRange(chunk, at + 1, at + 1 + (chunk[at] & 0xff));
    }

    int hashAt(int offset) {
      byte[] chunk = chunks[offset / ARENA_CHUNK];
      int at = offset % ARENA_CHUNK;
      return hash(chunk, at + 1, chunk[at] & 0xff);
    }

    long bytes() {
      return (end + ARENA_CHUNK - 1) / ARENA_CHUNK * ARENA_CHUNK;
    }
  }

  static int hash(byte[] b, int from, int len) {
    int h = 0x9747b28c;
    for (int i = 0; i < len; i++) {
      h = (h ^ b[from + i]) * 0x01000193;
    }
    return h ^ (h >>> 16);
  }
}

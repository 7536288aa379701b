package com.flintn.webhooks.dispatcher.http;

import java.net.ProtocolException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * HPACK (RFC 7541), as much as the delivery client's HTTP/2 needs: the full decoder a response's
 * headers ask for (static and dynamic table, Huffman strings), and an encoder that writes every
 * request header as a literal that is never added to a table, so the receiver's table settings
 * never matter to it.
 */
final class Hpack {
  private Hpack() {}

  /** The static table (RFC 7541 Appendix A), from index 1. */
  static final String[][] STATIC = {
    {":authority", ""},
    {":method", "GET"},
    {":method", "POST"},
    {":path", "/"},
    {":path", "/index.html"},
    {":scheme", "http"},
    {":scheme", "https"},
    {":status", "200"},
    {":status", "204"},
    {":status", "206"},
    {":status", "304"},
    {":status", "400"},
    {":status", "404"},
    {":status", "500"},
    {"accept-charset", ""},
    {"accept-encoding", "gzip, deflate"},
    {"accept-language", ""},
    {"accept-ranges", ""},
    {"accept", ""},
    {"access-control-allow-origin", ""},
    {"age", ""},
    {"allow", ""},
    {"authorization", ""},
    {"cache-control", ""},
    {"content-disposition", ""},
    {"content-encoding", ""},
    {"content-language", ""},
    {"content-length", ""},
    {"content-location", ""},
    {"content-range", ""},
    {"content-type", ""},
    {"cookie", ""},
    {"date", ""},
    {"etag", ""},
    {"expect", ""},
    {"expires", ""},
    {"from", ""},
    {"host", ""},
    {"if-match", ""},
    {"if-modified-since", ""},
    {"if-none-match", ""},
    {"if-range", ""},
    {"if-unmodified-since", ""},
    {"last-modified", ""},
    {"link", ""},
    {"location", ""},
    {"max-forwards", ""},
    {"proxy-authenticate", ""},
    {"proxy-authorization", ""},
    {"range", ""},
    {"referer", ""},
    {"refresh", ""},
    {"retry-after", ""},
    {"server", ""},
    {"set-cookie", ""},
    {"strict-transport-security", ""},
    {"transfer-encoding", ""},
    {"user-agent", ""},
    {"vary", ""},
    {"via", ""},
    {"www-authenticate", ""},
  };

  /** Receives the decoded fields of one header block, in order. */
  interface Fields {
    void field(String name, String value);
  }

  /**
   * The decoder of one connection: its dynamic table lives as long as the connection, so every
   * header block the peer sends must pass through it, in order, even those of streams no longer
   * wanted. Not thread safe: one connection's reader uses it.
   */
  static final class Decoder {
    private final int maxTableSize;
    private int tableLimit;

    /** Newest last. */
    private final List<String[]> table = new ArrayList<>();

    private int tableSize;

    /** {@code maxTableSize}: what this side's SETTINGS_HEADER_TABLE_SIZE allows the peer. */
    Decoder(int maxTableSize) {
      this.maxTableSize = maxTableSize;
      this.tableLimit = maxTableSize;
    }

    void decode(byte[] b, int off, int len, Fields out) throws ProtocolException {
      int[] pos = {off};
      int end = off + len;
      boolean fieldSeen = false;
      while (pos[0] < end) {
        int first = b[pos[0]] & 0xff;
        if ((first & 0x80) != 0) {
          String[] f = entry(integer(b, pos, end, 7));
          out.field(f[0], f[1]);
          fieldSeen = true;
        } else if ((first & 0xc0) == 0x40) {
          String[] f = literal(b, pos, end, 6);
          add(f);
          out.field(f[0], f[1]);
          fieldSeen = true;
        } else if ((first & 0xe0) == 0x20) {
          if (fieldSeen) {
            throw new ProtocolException("HPACK: a table size update after a header field");
          }
          int size = integer(b, pos, end, 5);
          if (size > maxTableSize) {
            throw new ProtocolException("HPACK: a table size of " + size + " over the allowed");
          }
          tableLimit = size;
          evict(0);
        } else {
          String[] f = literal(b, pos, end, 4); // without indexing, or never indexed
          out.field(f[0], f[1]);
          fieldSeen = true;
        }
      }
    }

    private String[] literal(byte[] b, int[] pos, int end, int prefix) throws ProtocolException {
      int index = integer(b, pos, end, prefix);
      String name = index == 0 ? string(b, pos, end) : entry(index)[0];
      return new String[] {name, string(b, pos, end)};
    }

    private String[] entry(int index) throws ProtocolException {
      if (index >= 1 && index <= STATIC.length) {
        return STATIC[index - 1];
      }
      int d = index - STATIC.length - 1;
      if (index < 1 || d >= table.size()) {
        throw new ProtocolException("HPACK: no table entry " + index);
      }
      return table.get(table.size() - 1 - d);
    }

    private void add(String[] f) {
      int size = f[0].length() + f[1].length() + 32;
      if (size > tableLimit) {
        table.clear(); // larger than the whole table: empties it (RFC 7541 4.4)
        tableSize = 0;
        return;
      }
      evict(size);
      table.add(f);
      tableSize += size;
    }

    private void evict(int room) {
      while (tableSize + room > tableLimit && !table.isEmpty()) {
        String[] old = table.remove(0);
        tableSize -= old[0].length() + old[1].length() + 32;
      }
    }

    int tableSize() {
      return tableSize;
    }
  }

  /** A prefixed integer (RFC 7541 5.1), at most 2^28. */
  static int integer(byte[] b, int[] pos, int end, int prefix) throws ProtocolException {
    int mask = (1 << prefix) - 1;
    int value = b[pos[0]++] & mask;
    if (value < mask) {
      return value;
    }
    for (int shift = 0; ; shift += 7) {
      if (pos[0] >= end || shift > 21) {
        throw new ProtocolException("HPACK: an integer cut short or too large");
      }
      int next = b[pos[0]++] & 0xff;
      value += (next & 0x7f) << shift;
      if ((next & 0x80) == 0) {
        return value;
      }
    }
  }

  /** A string literal (RFC 7541 5.2), raw or Huffman coded, as Latin-1. */
  static String string(byte[] b, int[] pos, int end) throws ProtocolException {
    if (pos[0] >= end) {
      throw new ProtocolException("HPACK: a string cut short");
    }
    boolean huffman = (b[pos[0]] & 0x80) != 0;
    int len = integer(b, pos, end, 7);
    if (len > end - pos[0]) {
      throw new ProtocolException("HPACK: a string longer than its block");
    }
    int at = pos[0];
    pos[0] += len;
    return huffman ? huffman(b, at, len) : new String(b, at, len, StandardCharsets.ISO_8859_1);
  }

  /** Writes a prefixed integer: {@code flags} are the first byte's bits above the prefix. */
  static void writeInteger(ByteSink out, int flags, int prefix, int value) {
    int mask = (1 << prefix) - 1;
    if (value < mask) {
      out.put(flags | value);
      return;
    }
    out.put(flags | mask);
    value -= mask;
    while (value >= 0x80) {
      out.put((value & 0x7f) | 0x80);
      value >>>= 7;
    }
    out.put(value);
  }

  /** Writes {@code s} (ASCII, already checked) as a raw string literal. */
  static void writeString(ByteSink out, String s) {
    writeInteger(out, 0, 7, s.length());
    out.putAscii(s);
  }

  /** A field as a literal never added to a table, its name given by static {@code index}. */
  static void writeLiteral(ByteSink out, int index, String value) {
    writeInteger(out, 0, 4, index);
    writeString(out, value);
  }

  /** A field as a literal never added to a table, name and value written out. */
  static void writeLiteral(ByteSink out, String name, String value) {
    out.put(0);
    writeString(out, name);
    writeString(out, value);
  }

  /** A growable byte array. */
  static final class ByteSink {
    byte[] bytes;
    int size;

    ByteSink(int capacity) {
      bytes = new byte[capacity];
    }

    void put(int b) {
      room(1);
      bytes[size++] = (byte) b;
    }

    void putAscii(String s) {
      int n = s.length();
      room(n);
      for (int i = 0; i < n; i++) {
        bytes[size + i] = (byte) s.charAt(i); // ASCII only: checked before
      }
      size += n;
    }

    void put(byte[] b, int off, int len) {
      room(len);
      System.arraycopy(b, off, bytes, size, len);
      size += len;
    }

    void room(int n) {
      if (size + n > bytes.length) {
        bytes = java.util.Arrays.copyOf(bytes, Math.max(bytes.length * 2, size + n));
      }
    }
  }

  // The Huffman code (RFC 7541 Appendix B): code and length in bits of each byte value; EOS is
  // 30 ones.
  private static final int[] CODES = {
    0x1ff8, 0x7fffd8, 0xfffffe2, 0xfffffe3, 0xfffffe4, 0xfffffe5,
    0xfffffe6, 0xfffffe7, 0xfffffe8, 0xffffea, 0x3ffffffc, 0xfffffe9,
    0xfffffea, 0x3ffffffd, 0xfffffeb, 0xfffffec, 0xfffffed, 0xfffffee,
    0xfffffef, 0xffffff0, 0xffffff1, 0xffffff2, 0x3ffffffe, 0xffffff3,
    0xffffff4, 0xffffff5, 0xffffff6, 0xffffff7, 0xffffff8, 0xffffff9,
    0xffffffa, 0xffffffb, 0x14, 0x3f8, 0x3f9, 0xffa,
    0x1ff9, 0x15, 0xf8, 0x7fa, 0x3fa, 0x3fb,
    0xf9, 0x7fb, 0xfa, 0x16, 0x17, 0x18,
    0x0, 0x1, 0x2, 0x19, 0x1a, 0x1b,
    0x1c, 0x1d, 0x1e, 0x1f, 0x5c, 0xfb,
    0x7ffc, 0x20, 0xffb, 0x3fc, 0x1ffa, 0x21,
    0x5d, 0x5e, 0x5f, 0x60, 0x61, 0x62,
    0x63, 0x64, 0x65, 0x66, 0x67, 0x68,
    0x69, 0x6a, 0x6b, 0x6c, 0x6d, 0x6e,
    0x6f, 0x70, 0x71, 0x72, 0xfc, 0x73,
    0xfd, 0x1ffb, 0x7fff0, 0x1ffc, 0x3ffc, 0x22,
    0x7ffd, 0x3, 0x23, 0x4, 0x24, 0x5,
    0x25, 0x26, 0x27, 0x6, 0x74, 0x75,
    0x28, 0x29, 0x2a, 0x7, 0x2b, 0x76,
    0x2c, 0x8, 0x9, 0x2d, 0x77, 0x78,
    0x79, 0x7a, 0x7b, 0x7ffe, 0x7fc, 0x3ffd,
    0x1ffd, 0xffffffc, 0xfffe6, 0x3fffd2, 0xfffe7, 0xfffe8,
    0x3fffd3, 0x3fffd4, 0x3fffd5, 0x7fffd9, 0x3fffd6, 0x7fffda,
    0x7fffdb, 0x7fffdc, 0x7fffdd, 0x7fffde, 0xffffeb, 0x7fffdf,
    0xffffec, 0xffffed, 0x3fffd7, 0x7fffe0, 0xffffee, 0x7fffe1,
    0x7fffe2, 0x7fffe3, 0x7fffe4, 0x1fffdc, 0x3fffd8, 0x7fffe5,
    0x3fffd9, 0x7fffe6, 0x7fffe7, 0xffffef, 0x3fffda, 0x1fffdd,
    0xfffe9, 0x3fffdb, 0x3fffdc, 0x7fffe8, 0x7fffe9, 0x1fffde,
    0x7fffea, 0x3fffdd, 0x3fffde, 0xfffff0, 0x1fffdf, 0x3fffdf,
    0x7fffeb, 0x7fffec, 0x1fffe0, 0x1fffe1, 0x3fffe0, 0x1fffe2,
    0x7fffed, 0x3fffe1, 0x7fffee, 0x7fffef, 0xfffea, 0x3fffe2,
    0x3fffe3, 0x3fffe4, 0x7ffff0, 0x3fffe5, 0x3fffe6, 0x7ffff1,
    0x3ffffe0, 0x3ffffe1, 0xfffeb, 0x7fff1, 0x3fffe7, 0x7ffff2,
    0x3fffe8, 0x1ffffec, 0x3ffffe2, 0x3ffffe3, 0x3ffffe4, 0x7ffffde,
    0x7ffffdf, 0x3ffffe5, 0xfffff1, 0x1ffffed, 0x7fff2, 0x1fffe3,
    0x3ffffe6, 0x7ffffe0, 0x7ffffe1, 0x3ffffe7, 0x7ffffe2, 0xfffff2,
    0x1fffe4, 0x1fffe5, 0x3ffffe8, 0x3ffffe9, 0xffffffd, 0x7ffffe3,
    0x7ffffe4, 0x7ffffe5, 0xfffec, 0xfffff3, 0xfffed, 0x1fffe6,
    0x3fffe9, 0x1fffe7, 0x1fffe8, 0x7ffff3, 0x3fffea, 0x3fffeb,
    0x1ffffee, 0x1ffffef, 0xfffff4, 0xfffff5, 0x3ffffea, 0x7ffff4,
    0x3ffffeb, 0x7ffffe6, 0x3ffffec, 0x3ffffed, 0x7ffffe7, 0x7ffffe8,
    0x7ffffe9, 0x7ffffea, 0x7ffffeb, 0xffffffe, 0x7ffffec, 0x7ffffed,
    0x7ffffee, 0x7ffffef, 0x7fffff0, 0x3ffffee,
  };
  private static final byte[] LENGTHS = {
    13, 23, 28, 28, 28, 28, 28, 28, 28, 24, 30, 28, 28, 30, 28, 28,
    28, 28, 28, 28, 28, 28, 30, 28, 28, 28, 28, 28, 28, 28, 28, 28,
    6, 10, 10, 12, 13, 6, 8, 11, 10, 10, 8, 11, 8, 6, 6, 6,
    5, 5, 5, 6, 6, 6, 6, 6, 6, 6, 7, 8, 15, 6, 12, 10,
    13, 6, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7,
    7, 7, 7, 7, 7, 7, 7, 7, 8, 7, 8, 13, 19, 13, 14, 6,
    15, 5, 6, 5, 6, 5, 6, 6, 6, 5, 7, 7, 6, 6, 6, 5,
    6, 7, 6, 5, 5, 6, 7, 7, 7, 7, 7, 15, 11, 14, 13, 28,
    20, 22, 20, 20, 22, 22, 22, 23, 22, 23, 23, 23, 23, 23, 24, 23,
    24, 24, 22, 23, 24, 23, 23, 23, 23, 21, 22, 23, 22, 23, 23, 24,
    22, 21, 20, 22, 22, 23, 23, 21, 23, 22, 22, 24, 21, 22, 23, 23,
    21, 21, 22, 21, 23, 22, 23, 23, 20, 22, 22, 22, 23, 22, 22, 23,
    26, 26, 20, 19, 22, 23, 22, 25, 26, 26, 26, 27, 27, 26, 24, 25,
    19, 21, 26, 27, 27, 26, 27, 24, 21, 21, 26, 26, 28, 27, 27, 27,
    20, 24, 20, 21, 22, 21, 21, 23, 22, 22, 25, 25, 24, 24, 26, 23,
    26, 27, 26, 26, 27, 27, 27, 27, 27, 28, 27, 27, 27, 27, 27, 26,
  };
  private static final int EOS = 256;

  /** The code as a binary trie: children of node i at 2i and 2i+1; a leaf holds ~symbol. */
  private static final int[] TRIE = trie();

  private static int[] trie() {
    int[] next = new int[2 * 1024];
    int nodes = 1;
    for (int sym = 0; sym <= EOS; sym++) {
      int code = sym == EOS ? 0x3fffffff : CODES[sym];
      int len = sym == EOS ? 30 : LENGTHS[sym];
      int node = 0;
      for (int i = len - 1; i >= 0; i--) {
        int slot = 2 * node + ((code >>> i) & 1);
        if (i == 0) {
          next[slot] = ~sym;
        } else {
          if (next[slot] == 0) {
            next[slot] = nodes++;
          }
          node = next[slot];
        }
      }
    }
    return java.util.Arrays.copyOf(next, 2 * nodes);
  }

  static String huffman(byte[] b, int off, int len) throws ProtocolException {
    StringBuilder s = new StringBuilder(len * 8 / 5);
    int node = 0;
    int pending = 0; // bits since the last symbol
    boolean ones = true;
    for (int i = off; i < off + len; i++) {
      int v = b[i] & 0xff;
      for (int bit = 7; bit >= 0; bit--) {
        int x = (v >>> bit) & 1;
        int child = TRIE[2 * node + x];
        pending++;
        ones &= x == 1;
        if (child < 0) {
          int sym = ~child;
          if (sym == EOS) {
            throw new ProtocolException("HPACK: EOS inside a Huffman string");
          }
          s.append((char) sym);
          node = 0;
          pending = 0;
          ones = true;
        } else if (child == 0) {
          throw new ProtocolException("HPACK: not a Huffman code");
        } else {
          node = child;
        }
      }
    }
    if (pending > 7 || !ones) {
      throw new ProtocolException("HPACK: a Huffman string with bad padding");
    }
    return s.toString();
  }
}

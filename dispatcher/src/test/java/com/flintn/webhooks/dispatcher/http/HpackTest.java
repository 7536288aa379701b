package com.flintn.webhooks.dispatcher.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.ProtocolException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The HPACK decoder and encoder against the examples of RFC 7541 Appendix C. */
class HpackTest {
  private static List<String> decode(Hpack.Decoder d, String hex) throws ProtocolException {
    byte[] b = HexFormat.of().parseHex(hex.replace(" ", ""));
    List<String> out = new ArrayList<>();
    d.decode(b, 0, b.length, (n, v) -> out.add(n + ": " + v));
    return out;
  }

  @Test
  void requestsWithHuffmanStringsShareTheDynamicTable() throws Exception {
    // RFC 7541 C.4
    Hpack.Decoder d = new Hpack.Decoder(4096);
    assertThat(decode(d, "8286 8441 8cf1 e3c2 e5f2 3a6b a0ab 90f4 ff"))
        .containsExactly(
            ":method: GET", ":scheme: http", ":path: /", ":authority: www.example.com");
    assertThat(d.tableSize()).isEqualTo(57);
    assertThat(decode(d, "8286 84be 5886 a8eb 1064 9cbf"))
        .containsExactly(
            ":method: GET",
            ":scheme: http",
            ":path: /",
            ":authority: www.example.com",
            "cache-control: no-cache");
    assertThat(d.tableSize()).isEqualTo(110);
    assertThat(decode(d, "8287 85bf 4088 25a8 49e9 5ba9 7d7f 8925 a849 e95b b8e8 b4bf"))
        .containsExactly(
            ":method: GET",
            ":scheme: https",
            ":path: /index.html",
            ":authority: www.example.com",
            "custom-key: custom-value");
    assertThat(d.tableSize()).isEqualTo(164);
  }

  @Test
  void responsesEvictTheOldestEntriesFromASmallTable() throws Exception {
    // RFC 7541 C.6, with a table of 256 bytes
    Hpack.Decoder d = new Hpack.Decoder(256);
    assertThat(
            decode(
                d,
                "4882 6402 5885 aec3 771a 4b61 96d0 7abe 9410 54d4 44a8 2005 9504 0b81 66e0 82a6"
                    + " 2d1b ff6e 919d 29ad 1718 63c7 8f0b 97c8 e9ae 82ae 43d3"))
        .containsExactly(
            ":status: 302",
            "cache-control: private",
            "date: Mon, 21 Oct 2013 20:13:21 GMT",
            "location: https://www.example.com");
    assertThat(d.tableSize()).isEqualTo(222);
    assertThat(decode(d, "4883 640e ffc1 c0bf"))
        .containsExactly(
            ":status: 307",
            "cache-control: private",
            "date: Mon, 21 Oct 2013 20:13:21 GMT",
            "location: https://www.example.com");
    assertThat(d.tableSize()).isEqualTo(222);
    assertThat(
            decode(
                d,
                "88c1 6196 d07a be94 1054 d444 a820 0595 040b 8166 e084 a62d 1bff c05a 839b d9ab"
                    + " 77ad 94e7 821d d7f2 e6c7 b335 dfdf cd5b 3960 d5af 2708 7f36 72c1 ab27"
                    + " 0fb5 291f 9587 3160 65c0 03ed 4ee5 b106 3d50 07"))
        .containsExactly(
            ":status: 200",
            "cache-control: private",
            "date: Mon, 21 Oct 2013 20:13:22 GMT",
            "location: https://www.example.com",
            "content-encoding: gzip",
            "set-cookie: foo=ASDJKHQKBZXOQWEOPIUAXQWEOIU; max-age=3600; version=1");
    assertThat(d.tableSize()).isEqualTo(215);
  }

  @Test
  void whatTheEncoderWritesDecodesToTheSameFields() throws Exception {
    Hpack.ByteSink b = new Hpack.ByteSink(4);
    Hpack.writeLiteral(b, 4, "/hook?a=1");
    Hpack.writeLiteral(b, "x-signature-primary", "x".repeat(300)); // a length past one byte
    Hpack.writeLiteral(b, 28, "330");
    List<String> out = new ArrayList<>();
    new Hpack.Decoder(4096).decode(b.bytes, 0, b.size, (n, v) -> out.add(n + ": " + v));
    assertThat(out)
        .containsExactly(
            ":path: /hook?a=1", "x-signature-primary: " + "x".repeat(300), "content-length: 330");
  }

  @Test
  void malformedBlocksAreProtocolErrors() {
    Hpack.Decoder d = new Hpack.Decoder(4096);
    assertThatThrownBy(() -> decode(d, "be")).isInstanceOf(ProtocolException.class); // no entry
    assertThatThrownBy(() -> decode(d, "80")).isInstanceOf(ProtocolException.class); // index 0
    assertThatThrownBy(() -> decode(d, "0085f2b2")).isInstanceOf(ProtocolException.class); // short
    assertThatThrownBy(() -> decode(d, "3fe21f")).isInstanceOf(ProtocolException.class); // size
    assertThatThrownBy(() -> decode(d, "ff ffff ffff 0f")).isInstanceOf(ProtocolException.class);
    // a Huffman string padded with a zero bit
    assertThatThrownBy(() -> decode(d, "0081 fe 0000")).isInstanceOf(ProtocolException.class);
  }
}

package com.flintn.webhooks.common.json;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import com.flintn.webhooks.common.message.AccountId;
import com.flintn.webhooks.common.message.AttemptOutcome;
import com.flintn.webhooks.common.message.AttemptRecord;
import com.flintn.webhooks.common.message.DeliveryId;
import com.flintn.webhooks.common.message.EndpointId;
import com.flintn.webhooks.common.message.EventId;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.apache.kafka.common.errors.SerializationException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The attempt record's hand-written JSON against what Jackson makes of its annotations. */
class AttemptRecordJsonTest {
  /** Jackson's own reading of the record's annotations, as every record was written before. */
  private static final ObjectMapper ANNOTATIONS =
      JsonMapper.builder()
          .addModule(new JavaTimeModule())
          .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
          .build();

  private static List<AttemptRecord> samples() {
    Random random = new Random(20261206);
    List<AttemptRecord> all = new ArrayList<>();
    for (int i = 0; i < 300; i++) {
      boolean answered = random.nextBoolean();
      long second = random.nextLong(0, 253_402_300_799L); // years 1970-9999
      int nanos =
          switch (i % 4) {
            case 0 -> 0;
            case 1 -> random.nextInt(1000) * 1_000_000;
            case 2 -> random.nextInt(1_000_000) * 1000;
            default -> random.nextInt(1_000_000_000);
          };
      all.add(
          new AttemptRecord(
              new DeliveryId("dlv_" + i),
              new EventId("evt_" + random.nextInt()),
              i % 7 == 0 ? null : "order.created",
              new EndpointId("ep_" + i % 13),
              i % 11 == 0 ? null : new AccountId("acc_" + i % 5),
              1 + i % 5,
              Instant.ofEpochSecond(second, nanos),
              random.nextLong(0, 30_001),
              answered ? 200 + random.nextInt(400) : null,
              answered ? null : "timeout",
              i % 3 == 0 ? null : "detail with \"quotes\", \\ and \u00e9 \u2603 \n",
              answered && i % 2 == 0 ? "{\"ok\":true}\u0000\u001f" : null,
              AttemptOutcome.values()[i % AttemptOutcome.values().length]));
    }
    return all;
  }

  @Test
  void writesExactlyWhatTheAnnotationsDescribe() throws Exception {
    for (AttemptRecord a : samples()) {
      assertThat(new String(Json.bytes(a), StandardCharsets.UTF_8))
          .isEqualTo(ANNOTATIONS.writeValueAsString(a));
    }
  }

  @Test
  void readsWhatTheAnnotationsWroteAndWhatItWrites() throws Exception {
    JsonSerde<AttemptRecord> serde = new JsonSerde<>(AttemptRecord.class);
    for (AttemptRecord a : samples()) {
      assertThat(serde.deserialize("t", ANNOTATIONS.writeValueAsBytes(a))).isEqualTo(a);
      assertThat(serde.deserialize("t", Json.bytes(a))).isEqualTo(a);
    }
  }

  @Test
  void unknownFieldsAreSkippedAndOtherTimeFormsStillRead() throws Exception {
    String json =
        "{\"future\":{\"a\":[1,2]},\"delivery_id\":\"dlv_1\",\"event_id\":\"evt_1\","
            + "\"endpoint_id\":\"ep_1\",\"attempt\":2,\"started_at\":\"2026-12-06T11:00:00+01:00\","
            + "\"duration_ms\":5,\"outcome\":\"delivered\",\"more\":null}";
    AttemptRecord a = Json.mapper().readValue(json, AttemptRecord.class);
    assertThat(a.startedAt()).isEqualTo(Instant.parse("2026-12-06T10:00:00Z"));
    assertThat(a.attempt()).isEqualTo(2);
    assertThat(a.status()).isNull();
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "{\"event_id\":\"evt_1\",\"endpoint_id\":\"ep_1\",\"attempt\":1,"
            + "\"started_at\":\"2026-12-06T10:00:00Z\",\"outcome\":\"delivered\"}",
        "{\"delivery_id\":\"dlv 1\",\"event_id\":\"evt_1\",\"endpoint_id\":\"ep_1\",\"attempt\":1,"
            + "\"started_at\":\"2026-12-06T10:00:00Z\",\"outcome\":\"delivered\"}",
        "{\"delivery_id\":\"dlv_1\",\"event_id\":\"evt_1\",\"endpoint_id\":\"ep_1\",\"attempt\":1,"
            + "\"started_at\":\"2026-12-06T10:00:00Z\",\"outcome\":\"vanished\"}",
        "{\"delivery_id\":\"dlv_1\",\"event_id\":\"evt_1\",\"endpoint_id\":\"ep_1\",\"attempt\":null,"
            + "\"started_at\":\"2026-12-06T10:00:00Z\",\"outcome\":\"delivered\"}",
        "{\"delivery_id\":\"dlv_1\",\"event_id\":\"evt_1\",\"endpoint_id\":\"ep_1\",\"attempt\":1,"
            + "\"started_at\":\"2026-02-30T10:00:00Z\",\"outcome\":\"delivered\"}",
        "[1,2]",
      })
  void aBrokenRecordIsASerializationErrorNeverAnotherException(String json) {
    JsonSerde<AttemptRecord> serde = new JsonSerde<>(AttemptRecord.class);
    assertThatThrownBy(() -> serde.deserialize("t", json.getBytes(StandardCharsets.UTF_8)))
        .isInstanceOf(SerializationException.class);
  }

  @Test
  void plainTimesAreReadAsInstantParseReadsThem() {
    Random random = new Random(7);
    for (int i = 0; i < 10_000; i++) {
      Instant t =
          Instant.ofEpochSecond(
              random.nextLong(-62_167_219_200L, 253_402_300_799L), random.nextInt(1_000_000_000));
      assertThat(AttemptRecordJson.plainUtc(t.toString())).isEqualTo(t);
      assertThat(AttemptRecordJson.iso(t)).isEqualTo(t.toString());
      Instant whole = Instant.ofEpochSecond(t.getEpochSecond(), t.getNano() / 1000 * 1000);
      assertThat(AttemptRecordJson.iso(whole)).isEqualTo(whole.toString());
      Instant millis = Instant.ofEpochMilli(t.toEpochMilli());
      assertThat(AttemptRecordJson.iso(millis)).isEqualTo(millis.toString());
    }
    for (Instant edge :
        List.of(Instant.EPOCH, Instant.MIN, Instant.MAX, Instant.parse("0000-01-01T00:00:00Z"))) {
      assertThat(AttemptRecordJson.iso(edge)).isEqualTo(edge.toString());
    }
    for (String other :
        List.of(
            "2026-12-06T10:00:00+00:00",
            "2026-12-06 10:00:00Z",
            "2026-12-06T24:00:00Z",
            "2026-12-06T10:00:00.Z",
            "2026-12-06T10:00:00.1234567890Z",
            "+12026-12-06T10:00:00Z",
            "2026-13-06T10:00:00Z")) {
      assertThat(AttemptRecordJson.plainUtc(other)).as(other).isNull();
    }
  }
}

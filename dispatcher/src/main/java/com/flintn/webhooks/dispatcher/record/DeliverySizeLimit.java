package com.flintn.webhooks.dispatcher.record;

import com.flintn.webhooks.common.config.ConfigException;
import com.flintn.webhooks.common.config.ConfigKey;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;

/**
 * The largest event body whose deliveries the dispatcher can always write. A delivery record (to a
 * retry tier, the due or overflow lane, the dead-letter topic) carries the event's body plus at
 * most {@link #OVERHEAD_BYTES} of ids, times, failure and headers, so it fits if body and overhead
 * fit in the smallest {@code max.message.bytes} of those topics and in the producer's {@link
 * #PRODUCER_MAX_REQUEST_BYTES}.
 *
 * <p>Two checks use it. At start, {@link #requireRoomFor} refuses an {@code events.max-bytes} the
 * topics cannot hold, naming the key and the topic. Per event, {@link #fits} catches the rare body
 * that grows when written back (an exponent such as {@code 1e5} is written {@code 1E+5}), which is
 * then refused as an invalid event instead of failing later on its way to a retry tier. Immutable.
 */
public final class DeliverySizeLimit {
  /**
   * Room for what a delivery record holds besides the event body; the real figure is under 2 KiB.
   */
  public static final int OVERHEAD_BYTES = 16 * 1024;

  /**
   * The dispatcher producer's {@code max.request.size}: above the largest body {@code
   * events.max-bytes} allows (16 MiB) with its overhead, so the topics' limits are what binds.
   */
  public static final int PRODUCER_MAX_REQUEST_BYTES = 17 * 1024 * 1024;

  private final int maxRecordBytes;
  private final String boundBy;

  private DeliverySizeLimit(int maxRecordBytes, String boundBy) {
    this.maxRecordBytes = maxRecordBytes;
    this.boundBy = boundBy;
  }

  /** Only the producer's limit; for when the topics' settings cannot be read. */
  public static DeliverySizeLimit producerOnly() {
    return new DeliverySizeLimit(
        PRODUCER_MAX_REQUEST_BYTES, "the dispatcher producer's max.request.size");
  }

  /**
   * Reads {@code max.message.bytes} of {@code topics} (the broker's default where a topic sets
   * none) and keeps the smallest, with the producer's limit.
   *
   * @throws TimeoutException if the broker does not answer within {@code timeout}
   */
  public static DeliverySizeLimit read(Admin admin, List<String> topics, Duration timeout)
      throws InterruptedException, ExecutionException, TimeoutException {
    List<ConfigResource> resources = new ArrayList<>();
    for (String t : topics) {
      resources.add(new ConfigResource(ConfigResource.Type.TOPIC, t));
    }
    Map<ConfigResource, Config> configs =
        admin.describeConfigs(resources).all().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    DeliverySizeLimit limit = producerOnly();
    for (Map.Entry<ConfigResource, Config> e : configs.entrySet()) {
      ConfigEntry entry = e.getValue().get(TopicConfig.MAX_MESSAGE_BYTES_CONFIG);
      if (entry == null || entry.value() == null) {
        continue;
      }
      int bytes = Integer.parseInt(entry.value());
      if (bytes < limit.maxRecordBytes) {
        limit =
            new DeliverySizeLimit(bytes, e.getKey().name() + " (max.message.bytes " + bytes + ")");
      }
    }
    return limit;
  }

  /** The largest event body whose deliveries fit. */
  public int maxBodyBytes() {
    return maxRecordBytes - OVERHEAD_BYTES;
  }

  /** Whether the deliveries of an event whose body is {@code bodyBytes} long fit. */
  public boolean fits(int bodyBytes) {
    return bodyBytes <= maxBodyBytes();
  }

  /** Why an event body of {@code bodyBytes} does not fit, for the invalid-event record. */
  public String explain(int bodyBytes) {
    return "its body is "
        + bodyBytes
        + " bytes as delivered; deliveries of it must fit in "
        + boundBy
        + ", which leaves room for bodies of "
        + maxBodyBytes()
        + " bytes";
  }

  /**
   * Refuses to start when an event {@code events.max-bytes} allows could not be retried or
   * dead-lettered.
   */
  public void requireRoomFor(int eventsMaxBytes) {
    if (!fits(eventsMaxBytes)) {
      throw new ConfigException(
          ConfigKey.EVENTS_MAX_BYTES.key(),
          eventsMaxBytes
              + " bytes is more than the delivery topics can hold: deliveries must fit in "
              + boundBy
              + ", which leaves room for events of "
              + maxBodyBytes()
              + " bytes. Lower it, or raise max.message.bytes of the retry, due, overflow and"
              + " dead-letter topics");
    }
  }
}

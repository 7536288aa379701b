package com.flintn.webhooks.launcher;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.PrintWriter;
import java.io.Serial;
import java.io.StringWriter;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.LinkedHashMap;
import java.util.Map;
import org.slf4j.ILoggerFactory;
import org.slf4j.Logger;
import org.slf4j.Marker;
import org.slf4j.event.Level;
import org.slf4j.helpers.MessageFormatter;
import org.slf4j.simple.SimpleLogger;
import org.slf4j.simple.SimpleLoggerFactory;
import org.slf4j.simple.SimpleServiceProvider;

/**
 * {@code log.format=json}: slf4j-simple's levels and configuration, each event written to standard
 * error as one JSON object on one line ({@code time} in UTC, {@code level}, {@code thread}, {@code
 * logger}, {@code message}, and {@code exception} with its stack trace when there is one). Chosen
 * through slf4j's {@code slf4j.provider} system property by {@link LogSetup}.
 */
public final class JsonLogProvider extends SimpleServiceProvider {
  private ILoggerFactory factory;

  @Override
  public void initialize() {
    super.initialize();
    factory = new JsonLoggerFactory();
  }

  @Override
  public ILoggerFactory getLoggerFactory() {
    return factory;
  }

  private static final class JsonLoggerFactory extends SimpleLoggerFactory {
    @Override
    protected Logger createLogger(String name) {
      return new JsonLogger(name);
    }
  }

  static final class JsonLogger extends SimpleLogger {
    @Serial private static final long serialVersionUID = 1L;

    private static final ObjectMapper JSON = new ObjectMapper();

    /** slf4j makes the loggers, so none can be handed a clock; tests call {@link #line}. */
    private static final Clock CLOCK = Clock.systemUTC();

    private static final DateTimeFormatter TIME =
        DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSXXX").withZone(ZoneOffset.UTC);

    JsonLogger(String name) {
      super(name);
    }

    @Override
    protected void handleNormalizedLoggingCall(
        Level level, Marker marker, String pattern, Object[] arguments, Throwable throwable) {
      System.err.println(
          line(
              CLOCK.instant(),
              level,
              Thread.currentThread().getName(),
              getName(),
              MessageFormatter.basicArrayFormat(pattern, arguments),
              throwable));
    }

    static String line(
        Instant time,
        Level level,
        String thread,
        String logger,
        String message,
        Throwable throwable) {
      Map<String, String> event = new LinkedHashMap<>();
      event.put("time", TIME.format(time));
      event.put("level", level.toString());
      event.put("thread", thread);
      event.put("logger", logger);
      event.put("message", message);
      if (throwable != null) {
        StringWriter trace = new StringWriter();
        throwable.printStackTrace(new PrintWriter(trace));
        event.put("exception", trace.toString());
      }
      try {
        return JSON.writeValueAsString(event);
      } catch (JsonProcessingException e) {
        throw new IllegalStateException("a map of strings is always JSON", e);
      }
    }
  }
}

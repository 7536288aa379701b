package com.flintn.webhooks.dispatcher;

import static com.flintn.webhooks.testkit.Endpoints.endpoint;
import static com.flintn.webhooks.testkit.Endpoints.event;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.flintn.webhooks.common.json.Json;
import com.flintn.webhooks.common.message.Endpoint;
import com.flintn.webhooks.common.message.EndpointStatus;
import com.flintn.webhooks.common.sign.Secret;
import com.flintn.webhooks.testkit.HttpsReceiver;
import com.flintn.webhooks.testkit.TestEnvironment;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs the receivers' page's (docs/receivers.md) Node and Python verification snippets, as printed
 * there, with real {@code node} and {@code python3} against a delivery captured from the
 * dispatcher: they must accept it, and reject it once a byte of the body is changed.
 */
@Tag("process")
@Tag("broker")
class ReceiverSnippetsTest {
  private static final Path RECEIVERS_PAGE =
      Path.of(System.getProperty("flintn.root", "..")).resolve("docs/receivers.md");

  @TempDir Path dir;

  @Test
  void receiversPageSnippetsVerifyARealDeliveryAndRejectATamperedOne() throws Exception {
    HttpsReceiver.Received delivery;
    String secret;
    try (HttpsReceiver receiver = new HttpsReceiver();
        TestEnvironment env =
            TestEnvironment.create("snippets", 1, Optional.of(receiver), Map.of())) {
      Endpoint e =
          endpoint(
              "ep_snippets", "acc_1", receiver.url("/hook"), List.of("*"), EndpointStatus.ACTIVE);
      secret = e.secrets().current().reveal();
      env.putEndpoint(e);
      try (DispatcherApp dispatcher = new DispatcherApp(env.config(), Clock.systemUTC())) {
        dispatcher.start();
        env.send(
            env.topics().events().name(),
            null,
            event("evt_snippet", "order.created", "acc_1")
                .replace("1250", "\"\\u00e9t\\u00e9 \\u2713\"")
                .getBytes(StandardCharsets.UTF_8));
        await().atMost(Duration.ofSeconds(30)).until(() -> !receiver.received().isEmpty());
        delivery = receiver.received().getFirst();
      }
    }
    Path body = dir.resolve("body.bin");
    Files.write(body, delivery.body());
    Path tampered = dir.resolve("tampered.bin");
    byte[] t = delivery.body().clone();
    t[t.length - 2] ^= 1;
    Files.write(tampered, t);
    Map<String, String> headers =
        Map.of(
            "x-signature-primary", delivery.header("X-Signature-Primary"),
            "webhook-id", delivery.header("webhook-id"),
            "webhook-timestamp", delivery.header("webhook-timestamp"),
            "webhook-signature", delivery.header("webhook-signature"));
    Path headersFile = dir.resolve("headers.json");
    Files.write(headersFile, Json.bytes(headers));

    Path node = dir.resolve("verify.js");
    Files.writeString(
        node,
        snippet("verify-node", "js")
            + """

            const fs = require('fs');
            const [bodyFile, headersFile, secret] = process.argv.slice(2);
            const raw = fs.readFileSync(bodyFile);
            const headers = JSON.parse(fs.readFileSync(headersFile, 'utf8'));
            console.log(verifyFlintnSignature(raw, headers['x-signature-primary'], secret),
                        verifyStandardWebhook(raw, headers, secret));
            """);
    Path python = dir.resolve("verify.py");
    Files.writeString(
        python,
        snippet("verify-python", "python")
            + """

            import json, sys
            body_file, headers_file, secret = sys.argv[1:4]
            raw = open(body_file, "rb").read()
            headers = json.load(open(headers_file))
            print(verify_flintn_signature(raw, headers["x-signature-primary"], secret),
                  verify_standard_webhook(raw, headers, secret))
            """);

    assertThat(run("node", node, body, headersFile, secret)).isEqualTo("true true");
    assertThat(run("node", node, tampered, headersFile, secret)).isEqualTo("false false");
    assertThat(run("python3", python, body, headersFile, secret)).isEqualTo("True True");
    assertThat(run("python3", python, tampered, headersFile, secret)).isEqualTo("False False");
    assertThat(run("node", node, body, headersFile, Secret.generate().reveal()))
        .isEqualTo("false false");
    assertThat(run("python3", python, body, headersFile, Secret.generate().reveal()))
        .isEqualTo("False False");
  }

  private static String snippet(String name, String language) throws Exception {
    String page = Files.readString(RECEIVERS_PAGE);
    Matcher m =
        Pattern.compile(
                "<!-- snippet: " + name + " -->\\s*```" + language + "\\n(.*?)```", Pattern.DOTALL)
            .matcher(page);
    assertThat(m.find()).as("docs/receivers.md has the " + name + " snippet").isTrue();
    return m.group(1);
  }

  private static String run(String interpreter, Path script, Path body, Path headers, String secret)
      throws Exception {
    Process p =
        new ProcessBuilder(
                interpreter, script.toString(), body.toString(), headers.toString(), secret)
            .redirectErrorStream(true)
            .start();
    assertThat(p.waitFor(30, TimeUnit.SECONDS)).as(interpreter + " finished").isTrue();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
    assertThat(p.exitValue()).as(interpreter + " output: " + out).isZero();
    return out;
  }
}

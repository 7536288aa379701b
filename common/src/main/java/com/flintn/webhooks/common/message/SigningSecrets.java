package com.flintn.webhooks.common.message;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.flintn.webhooks.common.sign.Secret;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * The secrets an endpoint signs with: the current one, and during a rotation the previous one until
 * {@code previousExpiresAt}.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record SigningSecrets(
    @JsonProperty("current") Secret current,
    @JsonProperty("previous") @Nullable Secret previous,
    @JsonProperty("previous_expires_at") @Nullable Instant previousExpiresAt) {

  public SigningSecrets {
    Objects.requireNonNull(current, "current secret");
    if ((previous == null) != (previousExpiresAt == null)) {
      throw new IllegalArgumentException("previous secret and its expiry go together");
    }
  }

  public static SigningSecrets of(Secret current) {
    return new SigningSecrets(current, null, null);
  }

  /** The previous secret if it still signs at {@code now}. */
  public Optional<Secret> previousAt(Instant now) {
    return previous != null && previousExpiresAt != null && now.isBefore(previousExpiresAt)
        ? Optional.of(previous)
        : Optional.empty();
  }

  @Override
  public String toString() {
    return "SigningSecrets[redacted]";
  }
}

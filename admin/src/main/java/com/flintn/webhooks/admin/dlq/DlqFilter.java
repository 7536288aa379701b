package com.flintn.webhooks.admin.dlq;

import com.flintn.webhooks.common.message.AccountId;
import com.flintn.webhooks.common.message.EndpointId;
import java.time.Instant;
import java.util.Optional;

/** Which dead letters to select; an empty field selects all. {@code until} is exclusive. */
public record DlqFilter(
    Optional<EndpointId> endpoint,
    Optional<AccountId> account,
    Optional<String> eventType,
    Optional<String> reason,
    Optional<Instant> since,
    Optional<Instant> until) {

  public static DlqFilter all() {
    return new DlqFilter(
        Optional.empty(),
        Optional.empty(),
        Optional.empty(),
        Optional.empty(),
        Optional.empty(),
        Optional.empty());
  }

  public boolean matches(DeadLetter d) {
    return endpoint.map(e -> e.equals(d.endpointId())).orElse(true)
        && account.map(a -> a.equals(d.accountId())).orElse(true)
        && eventType.map(t -> t.equals(d.eventType())).orElse(true)
        && reason.map(r -> r.equals(d.reason())).orElse(true)
        && since.map(s -> !d.at().isBefore(s)).orElse(true)
        && until.map(u -> d.at().isBefore(u)).orElse(true);
  }

  /** This filter narrowed to one account, as the admin API applies it. */
  public DlqFilter forAccount(AccountId a) {
    return new DlqFilter(endpoint, Optional.of(a), eventType, reason, since, until);
  }
}

package com.flintn.webhooks.endpointstate;

import com.flintn.webhooks.common.message.AccountId;
import com.flintn.webhooks.common.message.EndpointChange;
import com.flintn.webhooks.common.message.EndpointChange.Type;
import com.flintn.webhooks.common.message.EndpointId;
import com.flintn.webhooks.common.sign.Secret;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/** Endpoint changes as the admin API writes them: each kind with only the fields it carries. */
final class Changes {
  private Changes() {}

  /** The create both transition tests start from: "Orders", for order.created, a new secret. */
  static EndpointChange createOrders(
      EndpointId endpoint, AccountId account, String url, Instant at) {
    return new EndpointChange(
        "chg_create",
        Type.CREATE,
        endpoint,
        account,
        "Orders",
        url,
        List.of("order.created"),
        Secret.generate(),
        null,
        at);
  }

  /** An update; a null field is left as it is. */
  static EndpointChange update(
      String changeId,
      EndpointId endpoint,
      AccountId account,
      String name,
      String url,
      List<String> eventTypes,
      Instant at) {
    return new EndpointChange(
        changeId, Type.UPDATE, endpoint, account, name, url, eventTypes, null, null, at);
  }

  /** A rotation to {@code next}, the current secret still signing for {@code grace}. */
  static EndpointChange rotate(
      String changeId,
      EndpointId endpoint,
      AccountId account,
      Secret next,
      Duration grace,
      Instant at) {
    return new EndpointChange(
        changeId,
        Type.ROTATE_SECRET,
        endpoint,
        account,
        null,
        null,
        null,
        next,
        grace.toMillis(),
        at);
  }
}

package com.flintn.webhooks.dispatcher.http;

import java.net.UnknownHostException;

/**
 * A connection was refused by the URL guard before any byte was sent. Extends {@link
 * UnknownHostException} so that OkHttp's {@code Dns.lookup} may throw it as it is.
 */
public final class UnsafeAddressException extends UnknownHostException {
  public UnsafeAddressException(String reason) {
    super(reason);
  }
}

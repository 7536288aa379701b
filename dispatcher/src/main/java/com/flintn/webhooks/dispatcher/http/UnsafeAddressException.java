package com.flintn.webhooks.dispatcher.http;

import java.io.Serial;
import java.net.UnknownHostException;

/**
 * A connection was refused by the URL guard before any byte was sent. Extends {@link
 * UnknownHostException} so that OkHttp's {@code Dns.lookup} may throw it as it is.
 *
 * <p>The message is what the tenant may read in the attempt log; {@link #detail()} says which
 * address was refused and why, for the operator's log only.
 */
public final class UnsafeAddressException extends UnknownHostException {
  @Serial private static final long serialVersionUID = 1L;

  private final String detail;

  /**
   * @param reason why, in words a tenant may read (no resolved address)
   * @param detail the refused host, address and range, for operators
   */
  public UnsafeAddressException(String reason, String detail) {
    super(reason);
    this.detail = detail;
  }

  /** The refused host, address and range: for the operator's log, never for a tenant. */
  public String detail() {
    return detail;
  }
}

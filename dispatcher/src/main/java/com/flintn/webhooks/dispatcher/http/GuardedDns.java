package com.flintn.webhooks.dispatcher.http;

import com.flintn.webhooks.common.guard.UrlGuard;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;
import java.util.Optional;

/**
 * Resolves a host and refuses it if any answer is an address the {@link UrlGuard} forbids. Refusing
 * on any forbidden answer (not just skipping it) keeps a name that mixes public and private answers
 * from being used to probe the private one. The tenant is told only that the host resolves to an
 * address webhooks may not reach; which address is for the operator (see {@link
 * UnsafeAddressException#detail()}).
 */
final class GuardedDns {
  /** A name lookup: all addresses of a host. */
  interface Resolver {
    List<InetAddress> lookup(String hostname) throws UnknownHostException;
  }

  /** The system's resolver (a literal address is returned as it is, without a lookup). */
  static final Resolver SYSTEM = host -> List.of(InetAddress.getAllByName(host));

  private final Resolver delegate;
  private final UrlGuard guard;

  GuardedDns(Resolver delegate, UrlGuard guard) {
    this.delegate = delegate;
    this.guard = guard;
  }

  public List<InetAddress> lookup(String hostname) throws UnknownHostException {
    List<InetAddress> answers = delegate.lookup(hostname);
    for (InetAddress a : answers) {
      Optional<String> refusal = guard.refusal(a);
      if (refusal.isPresent()) {
        throw new UnsafeAddressException(
            UrlGuard.BLOCKED_RESOLUTION,
            hostname + " resolves to a blocked address: " + refusal.get());
      }
    }
    return answers;
  }
}

package com.flintn.webhooks.dispatcher.http;

import com.flintn.webhooks.common.guard.UrlGuard;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketAddress;
import java.util.Optional;
import javax.net.SocketFactory;

/**
 * Makes sockets that check the {@link UrlGuard} at {@code connect}: the last word on where a
 * delivery goes, whatever path (IP literal, DNS answer, proxy-less route) led there. TLS sockets
 * are layered on these, so HTTPS connections are checked too.
 */
final class GuardedSocketFactory extends SocketFactory {
  private final UrlGuard guard;

  GuardedSocketFactory(UrlGuard guard) {
    this.guard = guard;
  }

  @Override
  public Socket createSocket() {
    return new GuardedSocket();
  }

  @Override
  public Socket createSocket(String host, int port) throws IOException {
    Socket s = createSocket();
    s.connect(new InetSocketAddress(host, port));
    return s;
  }

  @Override
  public Socket createSocket(String host, int port, InetAddress localHost, int localPort)
      throws IOException {
    Socket s = createSocket();
    s.bind(new InetSocketAddress(localHost, localPort));
    s.connect(new InetSocketAddress(host, port));
    return s;
  }

  @Override
  public Socket createSocket(InetAddress host, int port) throws IOException {
    Socket s = createSocket();
    s.connect(new InetSocketAddress(host, port));
    return s;
  }

  @Override
  public Socket createSocket(InetAddress address, int port, InetAddress localAddress, int localPort)
      throws IOException {
    Socket s = createSocket();
    s.bind(new InetSocketAddress(localAddress, localPort));
    s.connect(new InetSocketAddress(address, port));
    return s;
  }

  private final class GuardedSocket extends Socket {
    @Override
    public void connect(SocketAddress endpoint, int timeout) throws IOException {
      if (endpoint instanceof InetSocketAddress isa) {
        InetAddress address = isa.getAddress();
        if (address == null) {
          throw new UnsafeAddressException(
              "the URL's host was not resolved before connecting",
              isa.getHostString() + " is not resolved");
        }
        Optional<String> refusal = guard.refusal(address);
        if (refusal.isPresent()) {
          // A literal address in the URL was refused before this; here it came from DNS.
          throw new UnsafeAddressException(UrlGuard.BLOCKED_RESOLUTION, refusal.get());
        }
      }
      super.connect(endpoint, timeout);
    }
  }
}

package com.flintn.webhooks.dispatcher.http;

import com.flintn.webhooks.common.config.ConfigException;
import com.flintn.webhooks.common.config.ConfigKey;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.NoSuchAlgorithmException;
import java.security.cert.Certificate;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.Collection;
import java.util.Optional;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocketFactory;
import okhttp3.tls.HandshakeCertificates;

/**
 * The TLS socket factory of deliveries: the platform's trusted roots, plus the certificates of
 * {@code http.trusted-certificates} when it is set.
 */
final class TrustedCertificates {
  private TrustedCertificates() {}

  static SSLSocketFactory socketFactory(Optional<Path> pem) {
    if (pem.isEmpty()) {
      try {
        return SSLContext.getDefault().getSocketFactory();
      } catch (NoSuchAlgorithmException e) {
        throw new IllegalStateException("this JDK has no default TLS context", e);
      }
    }
    String key = ConfigKey.HTTP_TRUSTED_CERTIFICATES.key();
    Collection<? extends Certificate> certs;
    try (InputStream in = Files.newInputStream(pem.get())) {
      certs = CertificateFactory.getInstance("X.509").generateCertificates(in);
    } catch (IOException | CertificateException e) {
      throw new ConfigException(
          key, "cannot read certificates from " + pem.get() + ": " + e.getMessage());
    }
    if (certs.isEmpty()) {
      throw new ConfigException(key, "no PEM certificate in " + pem.get());
    }
    HandshakeCertificates.Builder trust =
        new HandshakeCertificates.Builder().addPlatformTrustedCertificates();
    for (Certificate c : certs) {
      trust.addTrustedCertificate((X509Certificate) c);
    }
    HandshakeCertificates hc = trust.build();
    return hc.sslSocketFactory();
  }
}

package com.flintn.webhooks.dispatcher.http;

import com.flintn.webhooks.common.config.ConfigException;
import com.flintn.webhooks.common.config.ConfigKey;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.Certificate;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.Collection;
import java.util.Optional;
import okhttp3.OkHttpClient;
import okhttp3.tls.HandshakeCertificates;

/** Adds the certificates of {@code http.trusted-certificates} to the platform's trusted roots. */
final class TrustedCertificates {
  private TrustedCertificates() {}

  static void apply(OkHttpClient.Builder builder, Optional<Path> pem) {
    if (pem.isEmpty()) {
      return;
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
    builder.sslSocketFactory(hc.sslSocketFactory(), hc.trustManager());
  }
}

/**
 * A small typed client for the Akeyless API: {@link io.spiffe4j.certauth.akeyless.AkeylessClient} authenticates
 * with an access key, a certificate (challenge mode), a Kubernetes service account, or a GCP or Azure identity
 * ({@link io.spiffe4j.certauth.akeyless.AkeylessAuth}), caches the token, and issues certificates from Akeyless PKI
 * issuers ({@link io.spiffe4j.certauth.akeyless.PkiCertificateRequest},
 * {@link io.spiffe4j.certauth.akeyless.IssuedCertificate}). It runs on the JDK HTTP client and Jackson, without
 * Akeyless's SDK; every failure is an {@link io.spiffe4j.certauth.akeyless.AkeylessException}.
 */
package io.spiffe4j.certauth.akeyless;

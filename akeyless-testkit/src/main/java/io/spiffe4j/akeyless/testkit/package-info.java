/**
 * A local, honest Akeyless Gateway for tests: {@link io.spiffe4j.akeyless.testkit.AkeylessGateway} serves
 * {@code /auth}, {@code /get-cert-challenge}, {@code /get-pki-certificate}, {@code /create-pki-cert-issuer} and
 * {@code /auth-method-create-cert} over HTTP or HTTPS, checks signatures, chains, bound constraints, JWTs and
 * issuer policies as the real service is documented to, and offers fault injection and a request log. See the
 * module's README for every choice made where Akeyless's real behaviour is not documented.
 */
package io.spiffe4j.akeyless.testkit;

/** The JDK {@code com.sun.net.httpserver} filter for JWT-SVID bearer authentication; needs {@code jdk.httpserver}. */
package io.spiffe4j.workloadapi.web.httpserver;

/** The Jakarta Servlet filter for JWT-SVID bearer authentication; needs {@code jakarta.servlet-api} at run time. */
package io.spiffe4j.workloadapi.web.servlet;

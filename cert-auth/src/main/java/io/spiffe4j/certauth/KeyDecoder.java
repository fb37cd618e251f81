package io.spiffe4j.certauth;

import io.spiffe4j.certauth.CertAuthException.Kind;
import io.spiffe4j.internal.Pem;
import java.nio.charset.StandardCharsets;
import java.security.PrivateKey;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.ASN1Sequence;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;

/**
 * Finds the private key in PEM text or DER bytes, whatever its format, and decodes it. See {@link PrivateKeys} for
 * the formats. Buffers holding decoded key bytes are zeroed once the key is built.
 */
final class KeyDecoder {
  private static final String PKCS8 = "PRIVATE KEY";
  private static final String ENCRYPTED_PKCS8 = "ENCRYPTED PRIVATE KEY";
  private static final String PKCS1 = "RSA PRIVATE KEY";
  private static final String SEC1 = "EC PRIVATE KEY";
  private static final String OPENSSH = "OPENSSH PRIVATE KEY";
  private static final String EC_PARAMETERS = "EC PARAMETERS";
  private static final Set<String> KEY_LABELS = Set.of(PKCS8, ENCRYPTED_PKCS8, PKCS1, SEC1, OPENSSH);
  /** The header of OpenSSL's legacy PEM encryption, which the strict PEM reader refuses. */
  private static final String LEGACY_ENCRYPTION_HEADER = "Proc-Type:";

  private KeyDecoder() {}

  /**
   * The one private key in {@code data}: PEM text (ASCII) or DER.
   *
   * @param source names the input in messages, for example {@code key file /etc/app/key.pem}
   */
  static PrivateKey decode(byte[] data, char[] password, String source) {
    if (data.length == 0) {
      throw new CertAuthException(Kind.MALFORMED, source + ": empty");
    }
    if (Pem.looksLikePem(data)) {
      return decodePem(new String(data, StandardCharsets.ISO_8859_1), password, source);
    }
    if (startsWith(data, "PuTTY-User-Key-File")) {
      throw new CertAuthException(Kind.UNSUPPORTED_FORMAT, source + ": PuTTY keys are not supported; convert with"
          + " puttygen KEY.ppk -O private-openssh -o KEY.pem");
    }
    ASN1Sequence sequence = KeyInfos.sequence(data, source, "key: neither PEM nor a DER private key");
    return fromStructure(sequence, "DER key", null, password, source);
  }

  private static PrivateKey decodePem(String text, char[] password, String source) {
    if (text.contains(LEGACY_ENCRYPTION_HEADER)) {
      return KeyInfos.toPrivateKey(EncryptedKeys.decryptLegacyPem(text, password, source), source);
    }
    List<Pem.Block> blocks;
    try {
      blocks = Pem.decode(text);
    } catch (IllegalArgumentException e) {
      throw new CertAuthException(Kind.MALFORMED, source + ": " + e.getMessage(), e);
    }
    Pem.Block key = null;
    ASN1ObjectIdentifier separateCurve = null;
    Set<String> otherLabels = new LinkedHashSet<>();
    for (Pem.Block block : blocks) {
      if (KEY_LABELS.contains(block.type())) {
        if (key != null) {
          throw new CertAuthException(Kind.UNSUPPORTED_FORMAT, source + ": holds more than one private key");
        }
        key = block;
      } else {
        if (EC_PARAMETERS.equals(block.type())) {
          separateCurve = KeyInfos.curveOfParametersBlock(block.der(), source);
        }
        otherLabels.add(printableLabel(block.type()));
      }
    }
    if (key == null) {
      throw noKey(source, otherLabels);
    }
    byte[] der = key.der();
    try {
      if (OPENSSH.equals(key.type())) {
        return KeyInfos.toPrivateKey(OpenSshKeys.decode(der, password, source), source);
      }
      ASN1Sequence sequence = KeyInfos.sequence(der, source, key.type() + " block");
      return fromStructure(sequence, key.type() + " block", separateCurve, password, source);
    } finally {
      Arrays.fill(der, (byte) 0);
    }
  }

  /**
   * The key in a DER structure, told by its shape. For PEM the structure decides and the label only hints: tools
   * mislabel keys, and Akeyless's own parser tries PKCS#8, PKCS#1 and SEC1 in turn whatever the label says.
   */
  private static PrivateKey fromStructure(ASN1Sequence sequence, String what, ASN1ObjectIdentifier separateCurve,
      char[] password, String source) {
    String structure = KeyInfos.classify(sequence);
    if (structure == null) {
      throw KeyInfos.malformed(source, what + ": not PKCS#8, PKCS#1 or SEC1", null);
    }
    return KeyInfos.toPrivateKey(structured(structure, sequence, separateCurve, password, source), source);
  }

  private static PrivateKeyInfo structured(
      String structure, ASN1Sequence sequence, ASN1ObjectIdentifier separateCurve, char[] password, String source) {
    switch (structure) {
      case PKCS8:
        try {
          return PrivateKeyInfo.getInstance(sequence);
        } catch (RuntimeException e) {
          throw KeyInfos.malformed(source, "PKCS#8 private key", e);
        }
      case ENCRYPTED_PKCS8:
        return EncryptedKeys.decryptPkcs8(sequence, password, source);
      case PKCS1:
        return KeyInfos.fromPkcs1(sequence, source);
      default:
        return KeyInfos.fromSec1(sequence, separateCurve, source);
    }
  }

  /** {@code labels} is never empty: the text has a BEGIN line, so the PEM reader found a block or threw. */
  private static CertAuthException noKey(String source, Set<String> labels) {
    if (labels.contains("DSA PRIVATE KEY")) {
      return new CertAuthException(Kind.UNSUPPORTED_ALGORITHM,
          source + ": DSA keys are not supported; use an RSA or ECDSA key");
    }
    return new CertAuthException(Kind.UNSUPPORTED_FORMAT, source + ": no private key; found only "
        + String.join(", ", labels) + " (expected PRIVATE KEY, ENCRYPTED PRIVATE KEY, RSA PRIVATE KEY,"
        + " EC PRIVATE KEY or OPENSSH PRIVATE KEY)");
  }

  /** Labels come from the input and go into messages: only plain ones are repeated. */
  private static String printableLabel(String label) {
    return label.matches("[A-Z0-9 ]{1,40}") ? label : "an unrecognised block";
  }

  private static boolean startsWith(byte[] data, String prefix) {
    byte[] expected = prefix.getBytes(StandardCharsets.US_ASCII);
    return data.length >= expected.length && Arrays.equals(Arrays.copyOf(data, expected.length), expected);
  }
}

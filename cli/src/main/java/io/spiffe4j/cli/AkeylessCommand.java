package io.spiffe4j.cli;

import io.spiffe4j.certauth.CertAuthException;
import io.spiffe4j.certauth.ChallengeSigner;
import io.spiffe4j.certauth.PrivateKeys;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

@Command(name = "akeyless", description = "Akeyless authentication: get a token, or sign a certificate challenge.",
    mixinStandardHelpOptions = true, subcommands = {AkeylessAuthCommand.class, AkeylessCommand.ChallengeSign.class})
final class AkeylessCommand {

  @Command(name = "challenge-sign", mixinStandardHelpOptions = true,
      description = {"Sign an Akeyless certificate-auth challenge with a local private key; print the signature"
          + " (standard base64) for the signed-cert-challenge field of /auth.",
          "The manual two-step mode: /get-cert-challenge returns the challenge, this signs it (SHA-256 with"
              + " RSA PKCS#1 v1.5, or ECDSA in DER), /auth takes it. The key never leaves this machine.",
          "Keys: PEM PKCS#8, PKCS#1, SEC1, OpenSSH, encrypted PKCS#8, legacy encrypted PEM, or DER PKCS#8;"
              + " RSA or ECDSA P-256/P-384/P-521."})
  static final class ChallengeSign implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--key", required = true, paramLabel = "KEY", description = "Private key file.")
    Path key;

    @ArgGroup(exclusive = true)
    KeyPassword password;

    @Option(names = "--challenge", required = true, paramLabel = "BASE64",
        description = "The challenge exactly as /get-cert-challenge returned it.")
    String challenge;

    @Override
    public Integer call() {
      char[] secret = password != null ? password.read(spec) : null;
      try {
        ChallengeSigner signer = ChallengeSigner.ofKey(PrivateKeys.load(key, secret));
        spec.commandLine().getOut().println(signer.signBase64(challenge));
        spec.commandLine().getOut().flush();
        return 0;
      } catch (CertAuthException e) {
        if (e.kind() == CertAuthException.Kind.INVALID_CHALLENGE) {
          throw new ParameterException(spec.commandLine(), "--challenge: " + e.getMessage());
        }
        throw e;
      } finally {
        if (secret != null) {
          Arrays.fill(secret, '\0');
        }
      }
    }
  }

  /** The key's password, from a file or an environment variable: never from the command line, where ps shows it. */
  static final class KeyPassword {
    @Option(names = "--key-password-file", paramLabel = "FILE",
        description = "File whose first line is the key's password.")
    Path file;

    @Option(names = "--key-password-env", paramLabel = "VAR",
        description = "Environment variable holding the key's password.")
    String environmentVariable;

    char[] read(CommandSpec spec) {
      if (file != null) {
        return firstLine(UnreadableInputException.read(file), spec);
      }
      String value = System.getenv(environmentVariable);
      if (value == null) {
        throw new ParameterException(spec.commandLine(),
            "--key-password-env: environment variable " + environmentVariable + " is not set");
      }
      return value.toCharArray();
    }

    /** The file's first line as the password, as OpenSSL's {@code -passin file:} reads it; the bytes are zeroed. */
    private char[] firstLine(byte[] content, CommandSpec spec) {
      CharBuffer chars = null;
      try {
        chars = StandardCharsets.UTF_8.newDecoder().decode(ByteBuffer.wrap(content));
        int end = 0;
        while (end < chars.limit() && chars.get(end) != '\n' && chars.get(end) != '\r') {
          end++;
        }
        char[] line = new char[end];
        chars.get(line);
        return line;
      } catch (CharacterCodingException e) {
        throw new ParameterException(spec.commandLine(), "--key-password-file: " + file + " is not UTF-8 text");
      } finally {
        Arrays.fill(content, (byte) 0);
        if (chars != null) {
          Arrays.fill(chars.array(), '\0');
        }
      }
    }
  }
}

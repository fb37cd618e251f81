/** The spiffe4j command-line tool. Exports nothing: it is an application. */
module io.spiffe4j.cli {
  requires io.spiffe4j;
  requires io.spiffe4j.workloadapi;
  requires io.spiffe4j.certauth;
  requires info.picocli;
  requires com.fasterxml.jackson.databind;

  opens io.spiffe4j.cli to info.picocli;
}

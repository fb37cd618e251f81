#!/bin/sh
# spire-upstream-akeyless: a SPIRE Server UpstreamAuthority plugin (spiffe4j). This file is a POSIX sh stub followed
# by the plugin's jar, so SPIRE's plugin_checksum covers all of its code. SPIRE starts it as plugin_cmd; it is not
# meant to be run by hand. The JVM: $SPIFFE4J_JAVA, else $JAVA_HOME/bin/java, else java on the PATH (Java 17+).
# Extra JVM options (for example -Xmx64m): $SPIFFE4J_JAVA_OPTS, split on spaces.
# exec, not fork: SPIRE kills its direct child with SIGKILL when it dies (Pdeathsig), which must be the JVM.
if [ -n "$SPIFFE4J_JAVA" ]; then
  java_cmd=$SPIFFE4J_JAVA
elif [ -n "$JAVA_HOME" ]; then
  java_cmd=$JAVA_HOME/bin/java
else
  java_cmd=java
fi
# shellcheck disable=SC2086
exec "$java_cmd" -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -Xshare:auto -XX:+DisplayVMOutputToStderr \
  $SPIFFE4J_JAVA_OPTS -jar "$0" "$@"

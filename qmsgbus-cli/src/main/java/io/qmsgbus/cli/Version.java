package io.qmsgbus.cli;

import picocli.CommandLine.IVersionProvider;

/** The version from the jar's manifest, so it never drifts from the build. */
final class Version implements IVersionProvider {
  @Override
  public String[] getVersion() {
    String v = Main.class.getPackage().getImplementationVersion();
    return new String[] {"qmsgbus " + (v == null ? "(development build)" : v)};
  }
}

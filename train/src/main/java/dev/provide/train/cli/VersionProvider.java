package dev.provide.train.cli;

import picocli.CommandLine.IVersionProvider;

/** Prints the project version and the TensorFlow runtime it runs on. */
final class VersionProvider implements IVersionProvider {
  @Override
  public String[] getVersion() {
    String v = ProvideCommand.class.getPackage().getImplementationVersion();
    return new String[] {
      "provide " + (v == null ? "(development build)" : v),
      "TensorFlow " + org.tensorflow.TensorFlow.version() + " (TensorFlow Java 1.1.0)"
    };
  }
}

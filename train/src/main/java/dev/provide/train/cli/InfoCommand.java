package dev.provide.train.cli;

import dev.provide.graph.Devices;
import java.util.concurrent.Callable;
import org.tensorflow.TensorFlow;
import picocli.CommandLine.Command;

/** Prints what this installation runs on: Java, TensorFlow and the devices it can use. */
@Command(
    name = "info",
    mixinStandardHelpOptions = true,
    description = "Show the Java and TensorFlow versions and the devices TensorFlow can use.")
final class InfoCommand implements Callable<Integer> {
  @Override
  public Integer call() {
    System.out.println("Java        " + System.getProperty("java.version") + " (" + System.getProperty("java.vm.name") + ")");
    System.out.println("TensorFlow  " + TensorFlow.version());
    System.out.println("CPU cores   " + Runtime.getRuntime().availableProcessors());
    System.out.println("Max heap    " + Runtime.getRuntime().maxMemory() / (1 << 20) + " MiB");
    System.out.println("Devices     " + String.join(", ", Devices.list()));
    return 0;
  }
}

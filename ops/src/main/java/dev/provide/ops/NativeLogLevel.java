package dev.provide.ops;

import com.sun.jna.Library;
import com.sun.jna.Native;

/**
 * TensorFlow's native log level for applications that embed this library. TensorFlow reads it
 * from the environment variable {@value #ENV} once, when its natives start, and by default prints
 * every info line ("oneDNN custom operations are on ...", "This TensorFlow binary is optimized
 * ..."). The JDK cannot set an environment variable of its own process, so {@link #apply} calls
 * libc's {@code setenv} (through JNA) without overwriting: a level the user set wins. The library's
 * entry points call it before they touch TensorFlow; where TensorFlow has started already, or on a
 * system without {@code setenv}, it changes nothing.
 */
public final class NativeLogLevel {
  /** The environment variable TensorFlow reads. */
  public static final String ENV = "TF_CPP_MIN_LOG_LEVEL";
  /** The system property that chooses another level for the library (0 = all, 1 = warnings, 2 = errors, 3 = fatal). */
  public static final String PROPERTY = "provide.tfLogLevel";
  /** Errors only. */
  public static final String DEFAULT = "2";

  private static boolean applied;

  private NativeLogLevel() {}

  /** Sets {@value #ENV} to the {@value #PROPERTY} property's value (default {@value #DEFAULT}) unless it is set. */
  public static synchronized void apply() {
    if (applied) {
      return;
    }
    applied = true;
    if (System.getenv(ENV) != null) {
      return;
    }
    try {
      LibC.INSTANCE.setenv(ENV, System.getProperty(PROPERTY, DEFAULT), 0);
    } catch (LinkageError | RuntimeException e) {
      // No libc setenv here (Windows) or no JNA natives: TensorFlow logs at its own default.
    }
  }

  /** The C library's setenv. */
  interface LibC extends Library {
    LibC INSTANCE = Native.load("c", LibC.class);

    int setenv(String name, String value, int overwrite);
  }
}

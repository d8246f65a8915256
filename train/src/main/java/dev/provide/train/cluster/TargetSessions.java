package dev.provide.train.cluster;

import java.lang.reflect.Constructor;
import java.lang.reflect.Method;
import org.bytedeco.javacpp.BytePointer;
import org.tensorflow.Graph;
import org.tensorflow.Session;
import org.tensorflow.internal.c_api.TF_Graph;
import org.tensorflow.internal.c_api.TF_Session;
import org.tensorflow.internal.c_api.TF_SessionOptions;
import org.tensorflow.internal.c_api.TF_Status;
import org.tensorflow.internal.c_api.global.tensorflow;
import org.tensorflow.proto.ConfigProto;

/**
 * Sessions on a TensorFlow server's target ({@code grpc://host:port}), which TensorFlow Java 1.1.0
 * does not offer: its public {@link Session} constructors never set a target. This opens the
 * session through the C API ({@code TF_SetTarget}) and wraps it in a {@link Session} through that
 * class's package-private constructor, so everything else (runners, save, restore) is the usual.
 */
final class TargetSessions {
  private TargetSessions() {}

  /**
   * Opens a session of {@code graph} on {@code target}.
   *
   * @throws IllegalStateException when TensorFlow refuses (the message is TensorFlow's)
   */
  static Session open(Graph graph, String target, ConfigProto config) {
    TF_SessionOptions options = tensorflow.TF_NewSessionOptions();
    TF_Status status = TF_Status.newStatus();
    byte[] bytes = config.toByteArray();
    try (BytePointer configBytes = new BytePointer(bytes)) {
      tensorflow.TF_SetTarget(options, target);
      tensorflow.TF_SetConfig(options, configBytes, bytes.length, status);
      status.throwExceptionIfNotOK();
      Method ref = Graph.class.getDeclaredMethod("ref");
      ref.setAccessible(true);
      try (AutoCloseable reference = (AutoCloseable) ref.invoke(graph)) {
        Method handle = reference.getClass().getDeclaredMethod("nativeHandle");
        handle.setAccessible(true);
        TF_Session session = tensorflow.TF_NewSession((TF_Graph) handle.invoke(reference), options, status);
        status.throwExceptionIfNotOK();
        Constructor<Session> wrap = Session.class.getDeclaredConstructor(Graph.class, TF_Session.class);
        wrap.setAccessible(true);
        return wrap.newInstance(graph, session);
      }
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException("this TensorFlow Java version cannot open a session on a server target ("
          + e + "); distributed training needs tensorflow-core-api 1.1.0", e);
    } catch (RuntimeException e) {
      throw e;
    } catch (Exception e) {
      throw new IllegalStateException(e);
    } finally {
      tensorflow.TF_DeleteSessionOptions(options);
      status.delete();
    }
  }
}

package dev.provide.train.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.Ops;
import org.tensorflow.op.io.ParseSingleExample;
import org.tensorflow.types.TInt64;
import org.tensorflow.types.TString;
import org.tensorflow.types.TUint8;
import org.tensorflow.types.family.TType;

/**
 * TensorFlow's own TFRecord reader and tf.train.Example parser (the kernels behind Python's
 * tf.data.TFRecordDataset and tf.io.parse_single_example) read what we write.
 */
class TensorFlowReadsOurFilesTest {
  @TempDir Path dir;

  @Test
  void tfRecordDatasetAndParseSingleExample() throws Exception {
    for (boolean gzip : new boolean[] {false, true}) {
      BallsGenerator g =
          new BallsGenerator(new BallsGenerator.Settings(3, 3, Variant.COLOUR, 2, 8, true, BallsSimulator.Physics.defaults(), 4));
      ClipRecord clip = g.sequence(0);
      Path f = dir.resolve("tf" + gzip + ".tfrecord");
      ClipFiles.write(f, List.of(clip), gzip);
      try (Graph graph = new Graph()) {
        Ops tf = Ops.create(graph);
        // TF 2.18's TFRecordDatasetV2 kernel reading from byte offset 0; the file holds one
        // record, so the dataset reduces to a single element.
        var ds =
            tf.data.tfRecordDataset(
                tf.constant(java.nio.charset.StandardCharsets.UTF_8, new String[] {f.toString()}), tf.constant(gzip ? "GZIP" : ""), tf.constant(1L << 16), tf.constant(new long[] {0}));
        @SuppressWarnings("unchecked")
        Operand<TString> record =
            (Operand<TString>) tf.data.datasetToSingleElement(ds, List.of(TString.class), List.of(Shape.scalar())).components().get(0);
        List<String> keys = List.of("channels", "frames", "height", "ids", "num_frames", "num_objects", "width");
        List<Class<? extends TType>> types =
            List.of(TInt64.class, TString.class, TInt64.class, TString.class, TInt64.class, TInt64.class, TInt64.class);
        List<Operand<?>> defaults = new java.util.ArrayList<>();
        for (Class<? extends TType> t : types) {
          defaults.add(t == TInt64.class ? tf.constant(-1L) : tf.constant(""));
        }
        ParseSingleExample parsed =
            tf.io.parseSingleExample(record, defaults, 0L, List.of(), keys, List.of(), java.util.Collections.nCopies(keys.size(), Shape.scalar()));
        @SuppressWarnings("unchecked")
        Operand<TUint8> frames = tf.io.decodeRaw((Operand<TString>) parsed.denseValues().get(1), TUint8.class);
        try (Session s = new Session(graph)) {
          Session.Runner r = s.runner().fetch(frames);
          for (int i : new int[] {0, 2, 4, 5, 6}) {
            r.fetch(parsed.denseValues().get(i));
          }
          try (Result res = r.run()) {
            TUint8 fr = (TUint8) res.get(0);
            byte[] bytes = new byte[(int) fr.shape().size()];
            fr.copyTo(DataBuffers.of(bytes, false, false));
            assertArrayEquals(clip.frames(), bytes);
            assertEquals(3L, ((TInt64) res.get(1)).getLong());
            assertEquals(8L, ((TInt64) res.get(2)).getLong());
            assertEquals(2L, ((TInt64) res.get(3)).getLong());
            assertEquals(3L, ((TInt64) res.get(4)).getLong());
            assertEquals(8L, ((TInt64) res.get(5)).getLong());
          }
        }
      }
    }
  }
}

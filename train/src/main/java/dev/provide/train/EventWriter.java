package dev.provide.train;

import com.google.protobuf.ByteString;
import dev.provide.train.data.TfRecordWriter;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Map;
import javax.imageio.ImageIO;
import org.tensorflow.proto.Event;
import org.tensorflow.proto.Summary;

/**
 * Writes TensorBoard event files ({@code events.out.tfevents.<time>.<host>}: TFRecords of
 * {@code Event} protos with scalar and image summaries) and the same scalars to
 * {@code metrics.csv}, one row per logged step, for plotting without TensorBoard.
 */
public final class EventWriter implements AutoCloseable {
  private final TfRecordWriter events;
  private final Path csv;

  /** Opens a new event file in {@code dir} and appends to {@code dir/metrics.csv}. */
  public EventWriter(Path dir) throws IOException {
    Files.createDirectories(dir);
    String host;
    try {
      host = InetAddress.getLocalHost().getHostName();
    } catch (IOException e) {
      host = "localhost";
    }
    long now = System.currentTimeMillis();
    this.events = TfRecordWriter.streaming(dir.resolve("events.out.tfevents." + now / 1000 + "." + host));
    this.csv = dir.resolve("metrics.csv");
    write(Event.newBuilder().setWallTime(now / 1000.0).setFileVersion("brain.Event:2").build());
  }

  /** Logs scalars for a step (TensorBoard and one CSV row). */
  public void scalars(long step, Map<String, Double> values) {
    Summary.Builder s = Summary.newBuilder();
    values.forEach((tag, v) -> s.addValue(Summary.Value.newBuilder().setTag(tag).setSimpleValue(v.floatValue())));
    write(Event.newBuilder().setWallTime(System.currentTimeMillis() / 1000.0).setStep(step).setSummary(s).build());
    appendCsv(step, values);
  }

  /** Logs a PNG image for a step. */
  public void image(long step, String tag, BufferedImage img) {
    ByteArrayOutputStream png = new ByteArrayOutputStream();
    try {
      ImageIO.write(img, "png", png);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    Summary.Image image =
        Summary.Image.newBuilder()
            .setHeight(img.getHeight())
            .setWidth(img.getWidth())
            .setColorspace(3)
            .setEncodedImageString(ByteString.copyFrom(png.toByteArray()))
            .build();
    Summary s = Summary.newBuilder().addValue(Summary.Value.newBuilder().setTag(tag).setImage(image)).build();
    write(Event.newBuilder().setWallTime(System.currentTimeMillis() / 1000.0).setStep(step).setSummary(s).build());
  }

  private void write(Event e) {
    try {
      events.write(e.toByteArray());
      events.flush();
    } catch (IOException ex) {
      throw new UncheckedIOException(ex);
    }
  }

  private void appendCsv(long step, Map<String, Double> values) {
    try {
      boolean fresh = !Files.exists(csv);
      try (Writer w =
          Files.newBufferedWriter(csv, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND)) {
        if (fresh) {
          w.write("step,wall_time,tag,value\n");
        }
        double now = System.currentTimeMillis() / 1000.0;
        for (Map.Entry<String, Double> e : values.entrySet()) {
          w.write(step + "," + String.format("%.3f", now) + "," + e.getKey() + "," + e.getValue() + "\n");
        }
      }
    } catch (IOException ex) {
      throw new UncheckedIOException(ex);
    }
  }

  @Override
  public void close() throws IOException {
    events.close();
  }
}

package dev.provide.graph;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

/**
 * Reads a NumPy {@code .npz} archive of little-endian float32 arrays (what
 * tools/parity/make_reference.py writes), without Python: a zip of {@code .npy} files, each a
 * magic string, a header dictionary and the raw values in C order.
 */
final class Npz {
  /**
   * One array.
   *
   * @param shape its shape (empty for a scalar)
   * @param values its values in C order
   */
  record Array(long[] shape, float[] values) {}

  private static final Pattern DESCR = Pattern.compile("'descr':\\s*'([^']*)'");
  private static final Pattern ORDER = Pattern.compile("'fortran_order':\\s*(True|False)");
  private static final Pattern SHAPE = Pattern.compile("'shape':\\s*\\(([^)]*)\\)");

  private Npz() {}

  /** Every array of the archive by name (the entry name without {@code .npy}). */
  static Map<String, Array> read(Path file) throws IOException {
    Map<String, Array> out = new LinkedHashMap<>();
    try (ZipFile zip = new ZipFile(file.toFile())) {
      for (ZipEntry e : java.util.Collections.list(zip.entries())) {
        if (!e.getName().endsWith(".npy")) {
          continue;
        }
        try (InputStream in = zip.getInputStream(e)) {
          out.put(e.getName().substring(0, e.getName().length() - 4), parse(in.readAllBytes(), e.getName()));
        }
      }
    }
    return out;
  }

  /** Parses one {@code .npy} file (format versions 1 to 3). */
  static Array parse(byte[] bytes, String name) {
    ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
    byte[] magic = new byte[6];
    b.get(magic);
    if (magic[0] != (byte) 0x93 || !new String(magic, 1, 5, StandardCharsets.US_ASCII).equals("NUMPY")) {
      throw new IllegalArgumentException(name + ": not a .npy file");
    }
    int major = b.get();
    b.get(); // minor
    int headerLength = major == 1 ? Short.toUnsignedInt(b.getShort()) : b.getInt();
    String header = new String(bytes, b.position(), headerLength, StandardCharsets.ISO_8859_1);
    b.position(b.position() + headerLength);
    String descr = group(DESCR, header, name);
    if (!descr.equals("<f4")) {
      throw new IllegalArgumentException(name + ": expected little-endian float32 ('<f4'), got " + descr);
    }
    if (group(ORDER, header, name).equals("True")) {
      throw new IllegalArgumentException(name + ": Fortran order is not supported");
    }
    long[] shape =
        Arrays.stream(group(SHAPE, header, name).split(","))
            .map(String::trim)
            .filter(s -> !s.isEmpty())
            .mapToLong(Long::parseLong)
            .toArray();
    long count = Arrays.stream(shape).reduce(1, (x, y) -> x * y);
    float[] values = new float[Math.toIntExact(count)];
    b.asFloatBuffer().get(values);
    return new Array(shape, values);
  }

  private static String group(Pattern p, String header, String name) {
    Matcher m = p.matcher(header);
    if (!m.find()) {
      throw new IllegalArgumentException(name + ": header without " + p.pattern() + ": " + header);
    }
    return m.group(1);
  }
}

package dev.provide.train.render;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** A small self-contained HTML page showing pictures and a metrics table. */
public final class Report {
  private Report() {}

  /**
   * Writes {@code out}.
   *
   * @param images file names relative to the page, with captions
   * @param table rows of cells; the first row is the header
   */
  public static void write(Path out, String title, List<String> paragraphs, List<String[]> images, List<String[]> table) throws IOException {
    StringBuilder b = new StringBuilder();
    b.append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>").append(escape(title)).append("</title>\n")
        .append("<style>body{font-family:sans-serif;max-width:1100px;margin:2em auto;color:#222}"
            + "img{image-rendering:pixelated;max-width:100%;border:1px solid #ccc}"
            + "table{border-collapse:collapse}td,th{border:1px solid #bbb;padding:4px 10px;text-align:right}"
            + "th{background:#eee}figure{margin:1.5em 0}figcaption{color:#555}</style></head><body>\n")
        .append("<h1>").append(escape(title)).append("</h1>\n");
    for (String p : paragraphs) {
      b.append("<p>").append(escape(p)).append("</p>\n");
    }
    if (!table.isEmpty()) {
      b.append("<table>\n");
      for (int r = 0; r < table.size(); r++) {
        b.append("<tr>");
        for (String cell : table.get(r)) {
          String tag = r == 0 ? "th" : "td";
          b.append('<').append(tag).append('>').append(escape(cell)).append("</").append(tag).append('>');
        }
        b.append("</tr>\n");
      }
      b.append("</table>\n");
    }
    for (String[] img : images) {
      b.append("<figure><img src=\"").append(escape(img[0])).append("\" alt=\"").append(escape(img[1]))
          .append("\"><figcaption>").append(escape(img[1])).append("</figcaption></figure>\n");
    }
    b.append("</body></html>\n");
    Files.createDirectories(out.toAbsolutePath().getParent());
    dev.provide.ops.PartialFiles.writeString(out, b.toString());
  }

  static String escape(String s) {
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
  }
}

package dev.provide.train.render;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageTypeSpecifier;
import javax.imageio.ImageWriter;
import javax.imageio.metadata.IIOMetadata;
import javax.imageio.metadata.IIOMetadataNode;
import javax.imageio.stream.ImageOutputStream;

/** Writes an animated, looping GIF with the JDK's GIF writer. */
public final class Gif {
  private Gif() {}

  /** Writes {@code frames} (all of one size) with {@code delayMs} per frame, atomically. */
  public static void write(List<BufferedImage> frames, int delayMs, Path out) throws IOException {
    if (frames.isEmpty()) {
      throw new IllegalArgumentException("no frames");
    }
    ImageWriter writer = ImageIO.getImageWritersBySuffix("gif").next();
    Path tmp = dev.provide.ops.PartialFiles.file(out);
    try {
      try (ImageOutputStream ios = ImageIO.createImageOutputStream(tmp.toFile())) {
        writer.setOutput(ios);
        writer.prepareWriteSequence(null);
        for (BufferedImage f : frames) {
          BufferedImage rgb = new BufferedImage(f.getWidth(), f.getHeight(), BufferedImage.TYPE_INT_RGB);
          rgb.getGraphics().drawImage(f, 0, 0, null);
          IIOMetadata meta = writer.getDefaultImageMetadata(ImageTypeSpecifier.createFromRenderedImage(rgb), null);
          String format = meta.getNativeMetadataFormatName();
          IIOMetadataNode root = (IIOMetadataNode) meta.getAsTree(format);
          IIOMetadataNode gce = child(root, "GraphicControlExtension");
          gce.setAttribute("disposalMethod", "none");
          gce.setAttribute("userInputFlag", "FALSE");
          gce.setAttribute("transparentColorFlag", "FALSE");
          gce.setAttribute("delayTime", Integer.toString(Math.max(1, delayMs / 10)));
          gce.setAttribute("transparentColorIndex", "0");
          IIOMetadataNode apps = child(root, "ApplicationExtensions");
          IIOMetadataNode app = new IIOMetadataNode("ApplicationExtension");
          app.setAttribute("applicationID", "NETSCAPE");
          app.setAttribute("authenticationCode", "2.0");
          app.setUserObject(new byte[] {1, 0, 0}); // loop forever
          apps.appendChild(app);
          meta.setFromTree(format, root);
          writer.writeToSequence(new IIOImage(rgb, null, meta), null);
        }
        writer.endWriteSequence();
      } finally {
        writer.dispose();
      }
      dev.provide.ops.PartialFiles.publish(tmp, out);
    } catch (IOException e) {
      throw new IOException("cannot write " + out + ": " + dev.provide.ops.ErrorMessages.innermost(e), e);
    } finally {
      Files.deleteIfExists(tmp);
    }
  }

  private static IIOMetadataNode child(IIOMetadataNode root, String name) {
    for (int i = 0; i < root.getLength(); i++) {
      if (root.item(i).getNodeName().equalsIgnoreCase(name)) {
        return (IIOMetadataNode) root.item(i);
      }
    }
    IIOMetadataNode node = new IIOMetadataNode(name);
    root.appendChild(node);
    return node;
  }
}

package dev.provide.graph;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ModelConfigTest {
  private static List<Integer> schedule(ModelConfig c, int frames) {
    List<Integer> out = new ArrayList<>();
    for (int t = 0; t < frames; t++) {
      out.add(c.stepsForFrame(t));
    }
    return out;
  }

  @Test
  void decreasingScheduleWithFloor() {
    assertEquals(List.of(6, 5, 4, 3, 2, 2, 2, 2), schedule(ModelConfig.paper(), 8));
    assertEquals(List.of(4, 3, 2, 2, 2), schedule(ModelConfig.cpu(), 5));
    // A 40-frame clip: 90 decoder passes instead of IODINE's 240 (MODEL.md section 3).
    assertEquals(90, schedule(ModelConfig.paper(), 40).stream().mapToInt(Integer::intValue).sum());
    assertEquals(240, schedule(ModelConfig.paper().withMode(Mode.IODINE), 40).stream().mapToInt(Integer::intValue).sum());
    assertEquals(List.of(6, 2, 2), schedule(ModelConfig.paper().withMode(Mode.SEQ_IODINE), 3));
  }

  @Test
  void modesSwitchTheTemporalPartsAsABlock() {
    ModelConfig iodine = ModelConfig.paper().withMode(Mode.IODINE);
    assertFalse(iodine.temporal().temporalState());
    assertFalse(iodine.temporal().conditionalPrior());
    assertFalse(iodine.temporal().decoderConditioning());
    assertTrue(iodine.refinement().leaveOneOut());
    assertTrue(ModelConfig.paper().withMode(Mode.SEQ_IODINE).temporal().carryPosterior());
    assertEquals(Mode.IODINE, Mode.parse("iodine"));
    assertEquals(Mode.SEQ_IODINE, Mode.parse("seq-iodine"));
  }

  @Test
  void validationNamesTheBadField() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ModelConfig.cpu().withSlots(1));
    assertTrue(e.getMessage().contains("slots"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> ModelConfig.cpu().withSchedule(3, 4));
    assertTrue(e.getMessage().contains("scheduleFloor"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class,
        () -> ModelConfig.cpu().withRefinement(new ModelConfig.Refinement(2, 32, 3, 2, 16, 128, false)));
    assertTrue(e.getMessage().contains("refinement"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> ModelConfig.cpu().withBackgroundSigma(ModelConfig.cpu().sigma()));
    assertTrue(e.getMessage().contains("backgroundSigma"), e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> ModelConfig.cpu().withBackgroundSigma(-0.1));
    assertThrows(IllegalArgumentException.class, () -> ModelConfig.preset("huge"));
    assertThrows(IllegalArgumentException.class,
        () -> ModelConfig.cpu().withMode(Mode.IODINE).withTemporal(new ModelConfig.Temporal(true, false, false, false, false)));
    e = assertThrows(IllegalArgumentException.class,
        () -> ModelConfig.cpu().withMode(Mode.IODINE).withTemporal(new ModelConfig.Temporal(false, false, false, false, false).withInferredRollout(true)));
    assertTrue(e.getMessage().contains("inferred rollout"), e.getMessage());
    ModelConfig.Temporal provide = ModelConfig.cpu().temporal();
    e = assertThrows(IllegalArgumentException.class, () -> ModelConfig.cpu().withTemporal(provide.withRolloutPasses(0)));
    assertTrue(e.getMessage().contains("rolloutExtraPasses"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class,
        () -> ModelConfig.cpu().withTemporal(provide.withRolloutPasses(2).withInferredRollout(true)));
    assertTrue(e.getMessage().contains("no extra rollout passes"), e.getMessage());
    assertEquals(3, ModelConfig.cpu().withTemporal(provide.withRolloutPasses(3)).temporal().rolloutPasses());
  }

  @Test
  void jsonRoundTripAndErrors() {
    for (ModelConfig c : List.of(ModelConfig.paper(), ModelConfig.cpu().withMode(Mode.SEQ_IODINE))) {
      assertEquals(c, ConfigJson.fromJson(ConfigJson.toJson(c)));
    }
    assertThrows(IllegalArgumentException.class, () -> ConfigJson.fromJson("{not json"));
    String bad = ConfigJson.toJson(ModelConfig.cpu()).replaceFirst("\"slots\": \\d+", "\"slots\": 0");
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ConfigJson.fromJson(bad));
    assertTrue(e.getMessage().contains("slots"), e.getMessage());
  }

  @Test
  void aMisspeltFieldIsAnErrorAndAMissingOneItsDefault() {
    String json = ConfigJson.toJson(ModelConfig.cpu());
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class,
            () -> ConfigJson.fromJson(json.replace("\"gradientOfMasks\"", "\"maskGradient\"")));
    assertTrue(e.getMessage().contains("reference.maskGradient"), e.getMessage());
    assertTrue(e.getMessage().contains("gradientOfMasks"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> ConfigJson.fromJson(json.replace("\"slots\"", "\"slot\"")));
    assertTrue(e.getMessage().contains("unknown field 'slot'"), e.getMessage());
    // A file from before the last two reference options existed reads them as off.
    String old = json.replace(",\n    \"gradientOfMasks\": false,\n    \"firstFrameSkipsLastUpdate\": false", "");
    assertTrue(!old.contains("gradientOfMasks"), old);
    assertEquals(ModelConfig.cpu(), ConfigJson.fromJson(old));
    // A file from before the background slot existed has none.
    ModelConfig withBackground = ModelConfig.cpu().withBackgroundSigma(0.2);
    String before = ConfigJson.toJson(withBackground).replaceFirst("\\s*\"backgroundSigma\": [0-9.]+,", "");
    assertTrue(!before.contains("backgroundSigma"), before);
    ModelConfig read = ConfigJson.fromJson(before);
    assertFalse(read.hasBackgroundSlot());
    assertEquals(withBackground.withBackgroundSigma(0), read);
    assertEquals(0.2, withBackground.slotSigmas()[0]);
    // A file from before the inferred rollout and the rollout passes (MODEL.md 6c, 6d) rolls out as the paper does.
    ModelConfig inferred = ModelConfig.cpu().withTemporal(ModelConfig.cpu().temporal().withInferredRollout(true));
    assertEquals(inferred, ConfigJson.fromJson(ConfigJson.toJson(inferred)));
    ModelConfig passes = ModelConfig.cpu().withTemporal(ModelConfig.cpu().temporal().withRolloutPasses(2));
    assertEquals(passes, ConfigJson.fromJson(ConfigJson.toJson(passes)));
    String paper = ConfigJson.toJson(inferred).replaceFirst(",\\s*\"inferredRollout\": true,\\s*\"rolloutExtraPasses\": 0", "");
    assertTrue(!paper.contains("inferredRollout") && !paper.contains("rolloutExtraPasses"), paper);
    assertEquals(1, ConfigJson.fromJson(paper).temporal().rolloutPasses());
    assertFalse(ConfigJson.fromJson(paper).temporal().inferredRollout());
    assertEquals(ModelConfig.cpu(), ConfigJson.fromJson(paper));
    assertEquals(withBackground.sigma(), withBackground.slotSigmas()[withBackground.slots() - 1]);
  }
}

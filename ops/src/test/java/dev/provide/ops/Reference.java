package dev.provide.ops;

/** Plain-Java double-precision versions of the maths the ops build, for tests. */
final class Reference {
  private Reference() {}

  static double activation(Activation a, double x) {
    switch (a) {
      case NONE:
        return x;
      case RELU:
        return Math.max(0, x);
      case ELU:
        return x > 0 ? x : Math.expm1(x);
      case SIGMOID:
        return sigmoid(x);
      case TANH:
        return Math.tanh(x);
      case SOFTPLUS:
        return Math.log1p(Math.exp(x));
      default:
        throw new AssertionError(a);
    }
  }

  static double sigmoid(double x) {
    return 1 / (1 + Math.exp(-x));
  }

  static double logSumExp(double[] v) {
    double m = Double.NEGATIVE_INFINITY;
    for (double d : v) {
      m = Math.max(m, d);
    }
    double s = 0;
    for (double d : v) {
      s += Math.exp(d - m);
    }
    return m + Math.log(s);
  }

  static double[] softmax(double[] v) {
    double lse = logSumExp(v);
    double[] out = new double[v.length];
    for (int i = 0; i < v.length; i++) {
      out[i] = Math.exp(v[i] - lse);
    }
    return out;
  }

  static double logNormal(double x, double mu, double sigma, boolean normalised) {
    double d = (x - mu) / sigma;
    double c = normalised ? -Math.log(sigma) - 0.5 * Math.log(2 * Math.PI) : 0;
    return -0.5 * d * d + c;
  }
}

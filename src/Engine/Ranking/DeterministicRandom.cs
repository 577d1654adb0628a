namespace Clarity.Engine.Ranking;

/// <summary>
/// SplitMix64 with Beta sampling, so that exploration is a pure function of its seed on every
/// platform and runtime version (System.Random's algorithms are not a contract).
/// </summary>
internal struct DeterministicRandom(ulong seed)
{
    private ulong _state = seed;

    public ulong NextULong()
    {
        var z = _state += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    /// <summary>Uniform in (0, 1).</summary>
    public double NextDouble() => ((NextULong() >> 11) + 0.5) / (1UL << 53);

    public double NextNormal()
    {
        // Box-Muller; one of the pair is enough here.
        var u = NextDouble();
        var v = NextDouble();
        return Math.Sqrt(-2 * Math.Log(u)) * Math.Cos(2 * Math.PI * v);
    }

    /// <summary>Gamma(shape, 1) by Marsaglia and Tsang; shapes below 1 by the boost U^(1/shape).</summary>
    public double NextGamma(double shape)
    {
        if (shape < 1)
        {
            return NextGamma(shape + 1) * Math.Pow(NextDouble(), 1 / shape);
        }
        var d = shape - 1.0 / 3;
        var c = 1 / Math.Sqrt(9 * d);
        while (true)
        {
            double x, v;
            do
            {
                x = NextNormal();
                v = 1 + c * x;
            }
            while (v <= 0);
            v = v * v * v;
            var u = NextDouble();
            if (Math.Log(u) < 0.5 * x * x + d - d * v + d * Math.Log(v))
            {
                return d * v;
            }
        }
    }

    public double NextBeta(double alpha, double beta)
    {
        var x = NextGamma(alpha);
        var y = NextGamma(beta);
        return x / (x + y);
    }
}

namespace Clarity.Engine.Beliefs;

/// <summary>
/// A sum of evidence weights, each counting <c>2^(-age / halfLife)</c>. Stored as the value at a
/// reference instant; adding evidence from any time (earlier or later than the reference) and
/// reading at any instant are exact in closed form, so arrival order and timer cadence never change
/// the answer (up to floating-point rounding).
/// </summary>
public struct DecayedMass : IEquatable<DecayedMass>
{
    /// <summary>The mass as of <see cref="ReferenceTicks"/>.</summary>
    public double Value { get; private set; }

    /// <summary>UTC ticks of the instant <see cref="Value"/> refers to; the latest evidence time seen.</summary>
    public long ReferenceTicks { get; private set; }

    public DecayedMass(double value, long referenceTicks)
    {
        Value = value;
        ReferenceTicks = referenceTicks;
    }

    public readonly bool IsEmpty => Value == 0;

    /// <summary>Adds <paramref name="weight"/> observed at <paramref name="atTicks"/>.</summary>
    public void Add(double weight, long atTicks, double halfLifeTicks)
    {
        if (weight == 0)
        {
            return;
        }
        if (Value == 0)
        {
            Value = weight;
            ReferenceTicks = atTicks;
            return;
        }
        if (atTicks >= ReferenceTicks)
        {
            // Move the reference forward so that values stay small and never overflow.
            Value = Value * Factor(atTicks - ReferenceTicks, halfLifeTicks) + weight;
            ReferenceTicks = atTicks;
        }
        else
        {
            Value += weight * Factor(ReferenceTicks - atTicks, halfLifeTicks);
        }
    }

    /// <summary>
    /// Adds <paramref name="weight"/> at <paramref name="atTicks"/> given the mass already read at that
    /// instant (<paramref name="valueAt"/> = <c>At(atTicks)</c>); returns the mass at that instant after
    /// the addition. Same arithmetic as <see cref="Add"/>, without recomputing the decay factor.
    /// </summary>
    public double AddAt(double weight, long atTicks, double halfLifeTicks, double valueAt)
    {
        if (weight == 0)
        {
            return valueAt;
        }
        if (Value == 0 || atTicks >= ReferenceTicks)
        {
            Value = valueAt + weight;
            ReferenceTicks = atTicks;
            return Value;
        }
        // Evidence older than the reference: the mass at atTicks reads as the reference value (no
        // growth backwards), and the addition is decayed to the reference.
        Add(weight, atTicks, halfLifeTicks);
        return Value;
    }

    /// <summary>
    /// The mass counting at <paramref name="asOfTicks"/>. Evidence is never read before it happened:
    /// an instant before the reference reads the reference value (no growth backwards in time).
    /// </summary>
    public readonly double At(long asOfTicks, double halfLifeTicks) =>
        Value == 0 || asOfTicks <= ReferenceTicks ? Value : Value * Factor(asOfTicks - ReferenceTicks, halfLifeTicks);

    /// <summary>Rescales the mass (used when forgetting a share of it).</summary>
    public void Scale(double factor) => Value *= factor;

    public static double Factor(long elapsedTicks, double halfLifeTicks) =>
        Math.Exp(-Math.Log(2) * elapsedTicks / halfLifeTicks);

    public readonly bool Equals(DecayedMass other) =>
        Value.Equals(other.Value) && ReferenceTicks == other.ReferenceTicks;

    public override readonly bool Equals(object? obj) => obj is DecayedMass other && Equals(other);

    public override readonly int GetHashCode() => HashCode.Combine(Value, ReferenceTicks);

    public static bool operator ==(DecayedMass left, DecayedMass right) => left.Equals(right);

    public static bool operator !=(DecayedMass left, DecayedMass right) => !left.Equals(right);
}

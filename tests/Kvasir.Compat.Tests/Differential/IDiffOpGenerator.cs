namespace Kvasir.Compat.Tests.Differential;

/// <summary>Makes the next operation of its kind, or null when it has none to offer now.</summary>
public interface IDiffOpGenerator
{
    /// <summary>How often, relative to the other generators, this one is asked.</summary>
    int Weight { get; }

    DiffOp? Next(Random random, DiffModel model);
}

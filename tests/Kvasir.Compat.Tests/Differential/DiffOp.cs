namespace Kvasir.Compat.Tests.Differential;

/// <summary>
/// One operation of a differential sequence: run against each server in turn, its rendered answers
/// must be equal. Generators make operations from a seeded <see cref="Random"/>; KV, Txn and
/// Compact are here, and lease and watch operations join by adding their own generators.
/// </summary>
public abstract class DiffOp
{
    /// <summary>What the operation is, for the failure report.</summary>
    public abstract string Describe();

    /// <summary>Runs it against <paramref name="target"/> and renders the answer.</summary>
    public abstract Task<string> RunAsync(DiffTarget target);
}

namespace Kvasir.Compat.Tests.Differential;

/// <summary>An operation whose request depends on the server (a lease's id there) or that takes several calls.</summary>
public sealed class FuncOp(string description, Func<DiffTarget, Task<string>> run) : DiffOp
{
    public override string Describe() => description;

    public override Task<string> RunAsync(DiffTarget target) => run(target);
}

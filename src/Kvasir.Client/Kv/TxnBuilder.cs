using Kvasir.Api.Etcdserverpb;
using Kvasir.Client.Internal;

namespace Kvasir.Client;

/// <summary>
/// A transaction, written in etcd's order: <c>If(compares).Then(ops).Else(ops)</c>, then
/// <see cref="CommitAsync"/>. Every compare must hold for Then to run; otherwise Else runs. Each part
/// may be given once, in that order: anything else is a mistake and throws <see cref="InvalidOperationException"/>.
/// </summary>
public sealed class TxnBuilder
{
    private readonly CallInvoker _invoker;
    private readonly TxnRequest _request = new();
    private int _stage;

    internal TxnBuilder(CallInvoker invoker)
    {
        _invoker = invoker;
    }

    public TxnBuilder If(params IEnumerable<Compare> compares)
    {
        Advance(1, "If");
        ArgumentNullException.ThrowIfNull(compares);
        _request.Compare.AddRange(compares);
        return this;
    }

    public TxnBuilder Then(params IEnumerable<RequestOp> ops)
    {
        Advance(2, "Then");
        ArgumentNullException.ThrowIfNull(ops);
        _request.Success.AddRange(ops);
        return this;
    }

    public TxnBuilder Else(params IEnumerable<RequestOp> ops)
    {
        Advance(3, "Else");
        ArgumentNullException.ThrowIfNull(ops);
        _request.Failure.AddRange(ops);
        return this;
    }

    /// <summary>The request built so far (for inspection or for <see cref="KvClient.TxnAsync(TxnRequest, CancellationToken)"/>).</summary>
    public TxnRequest Build() => _request.Clone();

    /// <summary>Runs the transaction. A transaction that only reads may be retried on another endpoint.</summary>
    public Task<TxnResponse> CommitAsync(CancellationToken cancellationToken = default)
    {
        Advance(4, "CommitAsync");
        return KvClient.TxnAsync(_invoker, _request, cancellationToken);
    }

    private void Advance(int stage, string what)
    {
        if (stage <= _stage)
        {
            throw new InvalidOperationException(_stage == 4
                ? "the transaction was already committed"
                : $"{what} comes after {Name(_stage)}: write If, Then, Else in that order, each at most once");
        }

        _stage = stage;
    }

    private static string Name(int stage) => stage switch
    {
        1 => "If",
        2 => "Then",
        3 => "Else",
        _ => "CommitAsync",
    };
}

namespace Kvasir.Grpc.Client;

/// <summary>What the public streaming call types need of a call's life, whatever its request type.</summary>
internal interface IStreamingCall<TResponse> : IDisposable
{
    TResponse Current { get; }

    ValueTask<bool> MoveNextAsync(CancellationToken cancellationToken);

    Task<Metadata> ResponseHeadersAsync();

    Status GetStatus();

    Metadata GetTrailers();
}

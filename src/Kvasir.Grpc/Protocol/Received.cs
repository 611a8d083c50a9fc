namespace Kvasir.Grpc.Protocol;

/// <summary>One read from a message stream: a message, or the clean end of the stream.</summary>
internal readonly struct Received<T>(bool hasMessage, T message)
{
    public static Received<T> End => default;

    public bool HasMessage { get; } = hasMessage;

    public T Message { get; } = message;
}

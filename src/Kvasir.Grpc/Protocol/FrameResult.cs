namespace Kvasir.Grpc.Protocol;

/// <summary>What <see cref="Frames.TryRead"/> found at the start of a buffer.</summary>
internal enum FrameResult
{
    /// <summary>A whole frame: its payload and the position after it are set.</summary>
    Complete,

    /// <summary>Not yet a whole frame: read more and try again with the same start.</summary>
    Incomplete,

    /// <summary>A frame that can never be accepted: the error is set; the stream must end with it.</summary>
    Invalid,
}

namespace Kvasir.Raft.Tests.Simulation;

/// <summary>A safety or liveness violation found by a simulated run.</summary>
internal sealed class SimulationFailure : Exception
{
    public SimulationFailure(string message)
        : base(message)
    {
    }
}

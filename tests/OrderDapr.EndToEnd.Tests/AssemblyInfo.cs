// Each collection starts its own emulator and two service processes; on two cores, running them
// one collection at a time keeps the services responsive and the polling bounds generous.
[assembly: CollectionBehavior(DisableTestParallelization = true)]

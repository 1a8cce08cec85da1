namespace Fukkyu.Server.Infrastructure;

public static class BackgroundWork
{
    /// <summary>Durable jobs and the signals that wake the job and outbox workers.</summary>
    public static IHostApplicationBuilder AddBackgroundWork(this IHostApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddSingleton<WorkSignals>();
        services.AddSingleton<UrgentWork>();
        services.AddSingleton<WorkSignalInterceptor>();
        services.AddOptions<JobOptions>().BindConfiguration(JobOptions.Section);
        services.AddSingleton<JobRunner>();
        services.AddHostedService<JobWorker>();
        return builder;
    }
}

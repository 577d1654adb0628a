# Builds Clarity from the repository. Two targets share one build stage:
#   docker build --target silo -t clarity-silo .
#   docker build --target gateway -t clarity-gateway .
# docker-compose.yml uses both.

FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
WORKDIR /src
COPY . .
RUN dotnet publish src/Silo -c Release -o /out/silo \
 && dotnet publish src/Gateway -c Release -o /out/gateway

FROM mcr.microsoft.com/dotnet/aspnet:10.0 AS runtime
# curl for the health checks; nothing else.
RUN apt-get update \
 && apt-get install -y --no-install-recommends curl \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
USER $APP_UID

# A cluster silo: set ConnectionStrings__Clarity. Health and metrics on 8081; Orleans silo-to-silo
# 11111 and client gateway 30000 (Clarity__SiloPort, Clarity__GatewayPort).
FROM runtime AS silo
COPY --from=build /out/silo .
ENV ASPNETCORE_URLS=http://+:8081
EXPOSE 8081 11111 30000
ENTRYPOINT ["dotnet", "Clarity.Silo.dll"]

# The HTTP API as an Orleans client of the cluster (Clarity__Role=gateway) on 8080.
FROM runtime AS gateway
COPY --from=build /out/gateway .
ENV Clarity__Role=gateway
EXPOSE 8080
ENTRYPOINT ["dotnet", "Clarity.Gateway.dll", "--urls", "http://+:8080"]

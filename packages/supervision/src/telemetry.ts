/**
 * The typed telemetry events of supervisors, merged into the actors package's event map so
 * that `system.telemetry.on('supervisor.child_restarted', ...)` gets typed fields.
 */
import type { SupervisorEventFields } from './reports.js';

declare module '@starweave/actors' {
  interface TelemetryEvents {
    'supervisor.child_started': (event: SupervisorEventFields) => void;
    'supervisor.child_exited': (event: SupervisorEventFields) => void;
    'supervisor.child_restarted': (event: SupervisorEventFields) => void;
    'supervisor.shutdown': (event: SupervisorEventFields) => void;
    'supervisor.auto_shutdown': (event: SupervisorEventFields) => void;
    'supervisor.start_error': (event: SupervisorEventFields) => void;
    'supervisor.shutdown_error': (event: SupervisorEventFields) => void;
    'supervisor.restart_scheduled': (event: SupervisorEventFields) => void;
  }
}

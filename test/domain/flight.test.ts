import { describe, expect, it } from 'vitest';
import { given } from './given';

const ID = 'LA2047-2026-11-22';
const scheduled = { type: 'FlightScheduled', data: { flightNumber: 'LA2047', scheduledDeparture: '2026-11-22T14:00:00Z', scheduledArrival: '2026-11-22T18:00:00Z', origin: 'LIM', destination: 'SCL' } };
const statusTo = (oldStatus: string | null, newStatus: string) => ({ type: 'FlightStatusChanged', data: { flightId: ID, oldStatus, newStatus, timestamp: '2026-11-22T13:00:00Z', reason: 'x', updatedBy: 'y', locationCode: 'LIM', delayMinutes: 0 } });
const milestone = (m: string, at = '2026-11-22T12:00:00Z') => ({ type: 'TurnaroundMilestoneRecorded', data: { milestone: m, at } });

describe('flight', () => {
  it('schedules a flight once', () => {
    const [e] = given('flight', [], ID).thenEvents('ScheduleFlight', { scheduledDeparture: '2026-11-22T14:00:00Z', scheduledArrival: '2026-11-22T18:00:00Z', origin: 'LIM', destination: 'SCL' });
    expect(e!.data).toMatchObject({ flightNumber: 'LA2047', origin: 'LIM' });
    given('flight', [scheduled], ID).thenRejects('flight_already_scheduled', 'ScheduleFlight', { scheduledDeparture: '2026-11-22T14:00:00Z', scheduledArrival: '2026-11-22T18:00:00Z', origin: 'LIM', destination: 'SCL' });
  });

  it('takes the flight id date as the local departure date at the origin', () => {
    // 03:30 UTC on the 23rd is still the 22nd in Lima (UTC-5)
    given('flight', [], ID).thenEvents('ScheduleFlight', { scheduledDeparture: '2026-11-23T03:30:00Z', scheduledArrival: '2026-11-23T07:30:00Z', origin: 'LIM', destination: 'SCL' });
    given('flight', [], ID).thenRejects('departure_date_mismatch', 'ScheduleFlight', { scheduledDeparture: '2026-11-23T06:30:00Z', scheduledArrival: '2026-11-23T10:30:00Z', origin: 'LIM', destination: 'SCL' });
  });

  it('rejects an arrival before the departure', () => {
    given('flight', [], ID).thenRejects('arrival_before_departure', 'ScheduleFlight', { scheduledDeparture: '2026-11-22T14:00:00Z', scheduledArrival: '2026-11-22T13:00:00Z', origin: 'LIM', destination: 'SCL' });
  });

  it("keeps a flight's delay through later statuses until one says otherwise", () => {
    const delayed = { type: 'FlightStatusChanged', data: { ...statusTo('Scheduled', 'Delayed').data, delayMinutes: 45 } };
    const [boarding] = given('flight', [scheduled, delayed], ID).thenEvents('ChangeFlightStatus', { newStatus: 'Boarding' });
    expect(boarding!.data).toMatchObject({ newStatus: 'Boarding', delayMinutes: 45 });
    const [departed] = given('flight', [scheduled, delayed], ID).thenEvents('ChangeFlightStatus', { newStatus: 'Departed', delayMinutes: 50 });
    expect(departed!.data.delayMinutes).toBe(50);
    const [cancelled] = given('flight', [scheduled, delayed], ID).thenEvents('ChangeFlightStatus', { newStatus: 'Cancelled' });
    expect(cancelled!.data.delayMinutes).toBe(0);
  });

  it('changes status as a v2 event with old status, actor and defaults', () => {
    const [e] = given('flight', [scheduled], ID).thenEvents('ChangeFlightStatus', { newStatus: 'Boarding' }, { location: 'LIM/GATE/A5' });
    expect(e).toEqual({ type: 'FlightStatusChanged', data: { flightId: ID, oldStatus: 'Scheduled', newStatus: 'Boarding', timestamp: '2026-11-22T10:00:00.000Z', reason: 'Not specified', updatedBy: 'agent-1', locationCode: 'LIM/GATE/A5', delayMinutes: 0 } });
  });

  it('rejects status changes a flight cannot make', () => {
    given('flight', [], ID).thenRejects('flight_not_scheduled', 'ChangeFlightStatus', { newStatus: 'Boarding' });
    given('flight', [scheduled, statusTo('Scheduled', 'Departed')], ID).thenRejects('invalid_status_transition', 'ChangeFlightStatus', { newStatus: 'Boarding' });
    given('flight', [scheduled, statusTo('Scheduled', 'Cancelled')], ID).thenRejects('flight_closed', 'ChangeFlightStatus', { newStatus: 'Departed' });
  });

  it('rejects OffBlock before OnBlock', () => {
    given('flight', [scheduled], ID).thenRejects('milestone_before_on_block', 'RecordTurnaroundMilestone', { milestone: 'OffBlock' });
  });

  it('records milestones in a sensible order only', () => {
    const g = given('flight', [scheduled, milestone('OnBlock', '2026-11-22T09:00:00Z')], ID);
    g.thenEvents('RecordTurnaroundMilestone', { milestone: 'DoorsOpen' });
    g.thenRejects('milestone_already_recorded', 'RecordTurnaroundMilestone', { milestone: 'OnBlock' });
    g.thenRejects('milestone_out_of_order', 'RecordTurnaroundMilestone', { milestone: 'FuelingCompleted' });
    g.thenRejects('milestone_before_on_block', 'RecordTurnaroundMilestone', { milestone: 'DoorsOpen' }, { at: '2026-11-22T08:00:00Z' });
    given('flight', [scheduled, milestone('OnBlock'), milestone('OffBlock')], ID).thenRejects('turnaround_finished', 'RecordTurnaroundMilestone', { milestone: 'DoorsOpen' });
  });
});

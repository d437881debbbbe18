import { Route, Router, Switch } from 'wouter';
import { useHashLocation } from 'wouter/use-hash-location';
import { AccessPage } from './access/AccessPage.js';
import { AuditPage } from './audit/AuditPage.js';
import { useAuth } from './auth/AuthContext.js';
import { SignInPage } from './auth/SignInPage.js';
import { DevicePage } from './fleet/DevicePage.js';
import { IncidentPage } from './incidents/IncidentPage.js';
import { IncidentsPage } from './incidents/IncidentsPage.js';
import { FleetPage } from './fleet/FleetPage.js';
import { Shell } from './layout/Shell.js';
import { PlacesPage } from './places/PlacesPage.js';
import { ReadinessPage } from './readiness/ReadinessPage.js';
import { NewRolloutPage } from './rollouts/NewRolloutPage.js';
import { RolloutPage } from './rollouts/RolloutPage.js';
import { RolloutsPage } from './rollouts/RolloutsPage.js';
import { Loading } from './ui/Panel.js';

// Hash routing (`/#/devices/…`): the api serves the console as plain static files, so every deep
// link works without a server-side fallback route.
export function App() {
  const { user, checking, can } = useAuth();
  if (checking) return <Loading label="Checking your session…" />;
  if (!user) return <SignInPage />;
  return (
    <Router hook={useHashLocation}>
      <Shell>
        <Switch>
          <Route path="/" component={FleetPage} />
          <Route path="/places" component={PlacesPage} />
          <Route path="/readiness" component={ReadinessPage} />
          <Route path="/rollouts" component={RolloutsPage} />
          {can('OPERATOR') && <Route path="/rollouts/new" component={NewRolloutPage} />}
          <Route path="/rollouts/:id">{(params) => <RolloutPage id={params.id} />}</Route>
          <Route path="/incidents" component={IncidentsPage} />
          <Route path="/incidents/:id/:tab?">{(params) => <IncidentPage id={params.id} tab={params.tab} />}</Route>
          <Route path="/devices/:id">{(params) => <DevicePage id={params.id} />}</Route>
          {can('ADMIN') && <Route path="/audit" component={AuditPage} />}
          {can('ADMIN') && <Route path="/access" component={AccessPage} />}
          <Route>
            <h1>Not found</h1>
            <p>There is no page here.</p>
          </Route>
        </Switch>
      </Shell>
    </Router>
  );
}

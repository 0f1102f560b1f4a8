// The casetrail console: one page served by the API at `/`, talking only to /v1.
import './styles.css';
import './styles/long-text.css';
import './styles/work.css';
import './styles/print.css';
import './app.ts';

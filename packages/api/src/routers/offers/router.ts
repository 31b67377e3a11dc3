import { router } from '../../trpc';
import { getOfferSeriesRoute } from './get-offer-series';

export const offersRouter = router({
  series: getOfferSeriesRoute,
});

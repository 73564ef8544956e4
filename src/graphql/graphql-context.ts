import type { SearchService } from '../search/search-service.ts';

export interface GraphqlContext {
  readonly search: SearchService;
}
